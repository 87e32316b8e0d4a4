//! The runtime's parallel-for, which runs the chunks of an outlined `prange`
//! body (`lower::ir::Stmt::ParallelFor`) on one process-wide rayon pool.
//!
//! The pool is sized once, at first use: `FERROJIT_NUM_THREADS` if set, else
//! the number of CPUs, as Numba's `NUMBA_NUM_THREADS`. `set_num_threads`
//! limits how many of its threads the loops started by the calling thread use.
//!
//! A loop's workers take chunks from a shared counter, in order, each with a
//! `RuntimeContext` of its own (its own stack limit; its exception). So when
//! chunk `c` fails, every chunk before it has already started and runs to its
//! end, while those not started yet are skipped: the exception passed on is
//! the one of the lowest failing iteration, the one the sequential loop would
//! raise, whatever the threads.

use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use lower::ir::ExceptionKind;

use crate::runtime::{RaisedError, RuntimeContext};

/// An outlined body's chunk wrapper: `i32 (args, ret, ctx)`, as the entry
/// wrapper (`EntryFn`): its parameters (the environment, then `lo`, `hi` and
/// the chunk number, which a body without array reductions does not take) in
/// `args`, its reduction partials written to `ret`.
pub(crate) type ChunkFn =
    unsafe extern "C" fn(args: *const u64, ret: *mut u64, ctx: *mut RuntimeContext) -> i32;

/// The calling thread runs chunks alone for this long before it wakes the
/// workers: a loop done by then (a small trip count, a cheap body) never pays
/// for the fan-out, which costs about as much (measured on the development
/// machine: 15-20 µs from waking two workers to all of them done), and a
/// longer loop loses at most this much of its parallel time.
const FAN_OUT_AFTER: Duration = Duration::from_micros(20);

/// Stack of each worker: like a main thread's, so recursion inside a `prange`
/// body gets as deep before its `RecursionError` as outside one.
const WORKER_STACK: usize = 8 << 20;

static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();

thread_local! {
    /// `set_num_threads` of this thread; 0 for all the pool's threads.
    static NUM_THREADS: Cell<usize> = const { Cell::new(0) };
}

/// The number of threads `FERROJIT_NUM_THREADS` asks for, else of CPUs.
/// `Err` says why the variable's value cannot be used.
pub fn configured_threads() -> Result<usize, String> {
    match std::env::var("FERROJIT_NUM_THREADS") {
        Ok(text) => match text.trim().parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(format!(
                "FERROJIT_NUM_THREADS must be a positive integer, not '{text}'"
            )),
        },
        Err(_) => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

fn pool() -> Option<&'static rayon::ThreadPool> {
    POOL.get_or_init(|| {
        let threads = configured_threads().unwrap_or(1);
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("ferrojit-worker-{i}"))
            .stack_size(WORKER_STACK)
            .build()
            .ok()
    })
    .as_ref()
}

/// The number of threads of the pool (started on first use); 1 when it could not start.
fn pool_size() -> usize {
    pool().map_or(1, |p| p.current_num_threads())
}

/// Limits the loops started by the calling thread to `n` threads (the caller's included).
pub fn set_num_threads(n: usize) -> Result<(), String> {
    let size = pool_size();
    if n == 0 || n > size {
        return Err(format!(
            "The number of threads must be between 1 and {size}"
        ));
    }
    NUM_THREADS.with(|c| c.set(n));
    Ok(())
}

/// How many threads the loops started by the calling thread use.
pub fn num_threads() -> usize {
    match NUM_THREADS.with(Cell::get) {
        0 => pool_size(),
        n => n,
    }
}

/// One loop in flight.
struct Job<'a> {
    chunk: ChunkFn,
    env: &'a [u64],
    count: i64,
    chunks: i64,
    partials: *mut u64,
    result_slots: usize,
    /// The next chunk to take.
    next: AtomicI64,
    /// The lowest chunk that failed so far (`i64::MAX`: none).
    failed_at: AtomicI64,
    error: Mutex<Option<(i64, RaisedError)>>,
}

// SAFETY: `partials` is only written at disjoint offsets, one chunk's slots per
// call, and read by the caller after every worker is done.
unsafe impl Sync for Job<'_> {}

impl Job<'_> {
    /// Runs chunks until none is left, or until the next one comes after a failure.
    fn work(&self) {
        self.work_until(None);
    }

    /// `work`, stopping early (with chunks left: true) once `deadline` passed.
    fn work_until(&self, deadline: Option<Instant>) -> bool {
        let mut ctx = RuntimeContext::new();
        let mut args = Vec::with_capacity(self.env.len() + 2);
        args.extend_from_slice(self.env);
        args.extend([0, 0, 0]);
        let n = self.env.len();
        let mut done: u32 = 0;
        loop {
            // The clock is read after chunks 1, 2, 4, 8...: reading it costs
            // some 100 ns on a virtual machine, more than a short chunk.
            if done.is_power_of_two() && deadline.is_some_and(|d| Instant::now() >= d) {
                return self.next.load(Ordering::Relaxed) < self.chunks;
            }
            done = done.wrapping_add(1);
            let c = self.next.fetch_add(1, Ordering::Relaxed);
            if c >= self.chunks || c > self.failed_at.load(Ordering::Acquire) {
                return false;
            }
            // In i64 when it cannot overflow: a 128-bit division costs more
            // than a short chunk.
            let bound = |c: i64| match c.checked_mul(self.count) {
                Some(p) => p / self.chunks,
                None => (i128::from(c) * i128::from(self.count) / i128::from(self.chunks)) as i64,
            };
            args[n] = bound(c) as u64;
            args[n + 1] = bound(c + 1) as u64;
            args[n + 2] = c as u64;
            let ret = self.partials.wrapping_add(c as usize * self.result_slots);
            // SAFETY: `chunk` is a chunk wrapper compiled for exactly this
            // argument layout; `ret` has `result_slots` slots of its own.
            let status = unsafe { (self.chunk)(args.as_ptr(), ret, &mut ctx) };
            if status != 0 {
                let error = ctx.take_error().unwrap_or_else(|| RaisedError {
                    kind: ExceptionKind::RuntimeError,
                    message: "a prange iteration failed without an exception (a bug in ferrojit)"
                        .into(),
                    frames: Vec::new(),
                });
                self.failed_at.fetch_min(c, Ordering::AcqRel);
                let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
                if slot.as_ref().is_none_or(|(k, _)| c < *k) {
                    *slot = Some((c, error));
                }
            }
        }
    }
}

/// Runs the chunks of a parallel loop (see `lower::ir::Stmt::ParallelFor`):
/// 0 when all ran, 1 after recording in `ctx` the exception of the lowest
/// failing chunk.
///
/// # Safety
/// `env` has `env_slots` slots, `partials` has `chunks * result_slots` (or is
/// unused when `result_slots` is 0), `chunk` is compiled for that layout, and
/// `ctx` is the caller's live context.
pub(crate) unsafe extern "C" fn ferrojit_parallel_for(
    ctx: *mut RuntimeContext,
    chunk: ChunkFn,
    env: *const u64,
    env_slots: i64,
    count: i64,
    chunks: i64,
    partials: *mut u64,
    result_slots: i64,
) -> i32 {
    if count <= 0 || chunks <= 0 {
        return 0;
    }
    let env = match usize::try_from(env_slots) {
        // SAFETY: JIT code passes its stack array of `env_slots` slots.
        Ok(n) if n > 0 && !env.is_null() => unsafe { std::slice::from_raw_parts(env, n) },
        _ => &[],
    };
    let job = Job {
        chunk,
        env,
        count,
        chunks,
        partials,
        result_slots: usize::try_from(result_slots).unwrap_or(0),
        next: AtomicI64::new(0),
        failed_at: AtomicI64::new(i64::MAX),
        error: Mutex::new(None),
    };
    let workers = i64::try_from(num_threads()).unwrap_or(1).min(chunks);
    match pool() {
        Some(pool) if workers > 1 => {
            if job.work_until(Some(Instant::now() + FAN_OUT_AFTER)) {
                pool.scope(|s| {
                    for _ in 1..workers {
                        s.spawn(|_| job.work());
                    }
                    job.work();
                });
            }
        }
        _ => job.work(),
    }
    let error = job.error.into_inner().unwrap_or_else(|p| p.into_inner());
    match error {
        Some((_, error)) => {
            // SAFETY: JIT code passes the call's live context (or null, tolerated).
            if let Some(ctx) = unsafe { ctx.as_mut() } {
                ctx.set_error(error);
            }
            1
        }
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    /// A chunk that sums its `lo..hi` into its partial and fails at every
    /// iteration from `env[0]` on (none when negative).
    unsafe extern "C" fn sum_chunk(
        args: *const u64,
        ret: *mut u64,
        ctx: *mut RuntimeContext,
    ) -> i32 {
        let (fail, lo, hi) = unsafe { (*args as i64, *args.add(1) as i64, *args.add(2) as i64) };
        let mut s = 0i64;
        for i in lo..hi {
            if fail >= 0 && i >= fail {
                let ctx = unsafe { &mut *ctx };
                ctx.set_error(RaisedError {
                    kind: ExceptionKind::IndexError,
                    message: format!("iteration {i}"),
                    frames: Vec::new(),
                });
                return 1;
            }
            s += i;
        }
        unsafe { *ret = s as u64 };
        0
    }

    fn run(count: i64, chunks: i64, fail: i64) -> (i32, Vec<i64>, Option<RaisedError>) {
        let mut ctx = RuntimeContext::new();
        let env = [fail as u64];
        let mut partials = vec![0u64; chunks as usize];
        let status = unsafe {
            ferrojit_parallel_for(
                &mut ctx,
                sum_chunk,
                env.as_ptr(),
                1,
                count,
                chunks,
                partials.as_mut_ptr(),
                1,
            )
        };
        (
            status,
            partials.iter().map(|&p| p as i64).collect(),
            ctx.take_error(),
        )
    }

    #[test]
    fn chunks_cover_the_range_once_in_order() {
        let (status, partials, error) = run(1000, 7, -1);
        assert_eq!((status, error), (0, None));
        assert_eq!(partials.iter().sum::<i64>(), 999 * 1000 / 2);
        // Chunk c is c*n/chunks..(c+1)*n/chunks.
        assert_eq!(partials[0], (0..142).sum::<i64>());
    }

    #[test]
    fn the_lowest_failing_iteration_is_reported() {
        for fail in [0, 1, 500, 998, 999] {
            let (status, _, error) = run(1000, 64, fail);
            assert_eq!(status, 1);
            assert_eq!(error.map(|e| e.message), Some(format!("iteration {fail}")));
        }
    }

    /// A chunk that takes 200 µs and records its thread.
    unsafe extern "C" fn slow_chunk(_: *const u64, _: *mut u64, _: *mut RuntimeContext) -> i32 {
        let id = std::thread::current().id();
        let mut seen = SEEN.lock().unwrap();
        if !seen.contains(&id) {
            seen.push(id);
        }
        drop(seen);
        std::thread::sleep(Duration::from_micros(200));
        0
    }
    static SEEN: Mutex<Vec<std::thread::ThreadId>> = Mutex::new(Vec::new());

    #[test]
    fn a_long_loop_wakes_the_workers_and_a_short_one_does_not() {
        let mut ctx = RuntimeContext::new();
        let run = |ctx: &mut RuntimeContext, chunks: i64| unsafe {
            ferrojit_parallel_for(
                ctx,
                slow_chunk,
                ptr::null(),
                0,
                chunks,
                chunks,
                ptr::null_mut(),
                0,
            )
        };
        assert_eq!(run(&mut ctx, 1), 0);
        assert_eq!(
            SEEN.lock().unwrap().len(),
            1,
            "one chunk runs on the caller"
        );
        assert_eq!(run(&mut ctx, 40), 0);
        if pool_size() > 1 {
            assert!(SEEN.lock().unwrap().len() > 1, "the workers helped");
        }
    }

    #[test]
    fn thread_count_is_bounded_by_the_pool() {
        let size = pool_size();
        assert!(set_num_threads(size + 1).is_err());
        assert!(set_num_threads(0).is_err());
        assert!(set_num_threads(1).is_ok());
        assert_eq!(num_threads(), 1);
        let (status, partials, _) = run(100, 4, -1);
        assert_eq!((status, partials.iter().sum::<i64>()), (0, 4950));
    }
}
