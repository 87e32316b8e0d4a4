//! The runtime's parallel-for, which runs the chunks of an outlined `prange`
//! body (`lower::ir::Stmt::ParallelFor`) on one process-wide rayon pool.
//!
//! The pool is sized once, at first use: `FERROJIT_NUM_THREADS` if set, else
//! the number of CPUs, as Numba's `NUMBA_NUM_THREADS`. `set_num_threads`
//! limits how many of its threads the loops started by the calling thread use.
//!
//! The calling thread runs chunks too. Once it wakes workers, each of the
//! loop's threads has a share of consecutive chunks, which it takes from the
//! front; a thread done with its share takes the last chunks of the fullest
//! other share. When consecutive chunks may share a call (no partials, no
//! private arrays), a thread doubles the chunks per call while its calls are
//! short, so a loop of short chunks costs a few calls rather than one per
//! chunk. Each thread has a
//! `RuntimeContext` of its own (its own stack limit; its exception). When a
//! call fails, the chunks after it not started yet are skipped and every chunk
//! before it still runs: the exception passed on is the one of the lowest
//! failing iteration, the one the sequential loop would raise, whatever the
//! threads.
//!
//! A worker stays awake for `LINGER` after a loop and joins the next one at
//! once (`Board`); the caller never waits for a worker that has not started.

use std::cell::Cell;
use std::ops::Range;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;
use lower::ir::ExceptionKind;

use crate::runtime::{RaisedError, RuntimeContext};

/// An outlined body's chunk wrapper: `i32 (args, ret, ctx)`, as the entry
/// wrapper (`EntryFn`): its parameters (the environment, then `lo`, `hi` and
/// the first chunk's number, which a body without array reductions does not
/// take) in `args`, its reduction partials written to `ret`.
pub(crate) type ChunkFn =
    unsafe extern "C" fn(args: *const u64, ret: *mut u64, ctx: *mut RuntimeContext) -> i32;

/// The calling thread runs chunks alone for this long before it wakes the
/// workers: a loop done by then (a small trip count, a cheap body) never pays
/// for the fan-out, which costs about as much (measured on the development
/// machine: 15-20 µs from waking two workers to all of them done), and a
/// longer loop loses at most this much of its parallel time. Not when a worker
/// is lingering (`LINGER`): it joins at once.
const FAN_OUT_AFTER: Duration = Duration::from_micros(20);

/// How long a worker stays awake after its last chunk, waiting for the next
/// loop (`Board`), before it returns to rayon, which puts it to sleep. Waking
/// a sleeping worker takes 30-50 µs on the development machine, as long as a
/// 200,000-element loop takes on one thread: a kernel called in a loop would
/// otherwise run on one thread. Numba's OpenMP workers also wait spinning.
const LINGER: Duration = Duration::from_micros(200);

/// A thread whose call of consecutive chunks took less than this runs twice
/// as many in its next call; one whose call took more than four times this,
/// half as many (never more than half of a share: a long call taken early
/// would leave the other threads nothing to balance with, as a mandelbrot's
/// rows of unequal cost need).
const SHORT_CALL: Duration = Duration::from_micros(5);

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

/// The chunks not yet taken of one worker's share, `next..end`, in one word:
/// its worker takes them from the front, in order, and a worker whose share
/// is done takes them from the back, so the two never take the same chunk.
struct Share(AtomicU64);

impl Share {
    fn new(next: i64, end: i64) -> Share {
        Share(AtomicU64::new(Share::word(next, end)))
    }

    fn word(next: i64, end: i64) -> u64 {
        ((next as u64) << 32) | end as u64
    }

    fn bounds(word: u64) -> (i64, i64) {
        ((word >> 32) as i64, (word & u64::from(u32::MAX)) as i64)
    }

    fn left(&self) -> i64 {
        let (next, end) = Share::bounds(self.0.load(Ordering::Relaxed));
        end - next
    }

    /// Up to `n` chunks from the front, for the share's own worker.
    fn take_first(&self, n: i64) -> Option<Range<i64>> {
        self.take(|next, end| {
            let stop = (next + n).min(end);
            (next..stop, (stop, end))
        })
    }

    /// Up to `n` chunks from the back, for another worker.
    fn take_last(&self, n: i64) -> Option<Range<i64>> {
        self.take(|next, end| {
            let start = (end - n).max(next);
            (start..end, (next, start))
        })
    }

    fn take(&self, split: impl Fn(i64, i64) -> (Range<i64>, (i64, i64))) -> Option<Range<i64>> {
        let mut word = self.0.load(Ordering::Relaxed);
        loop {
            let (next, end) = Share::bounds(word);
            if next >= end {
                return None;
            }
            let (taken, (rest_next, rest_end)) = split(next, end);
            let rest = Share::word(rest_next, rest_end);
            match self
                .0
                .compare_exchange_weak(word, rest, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return Some(taken),
                Err(now) => word = now,
            }
        }
    }
}

/// Where loops meet the workers lingering after theirs. A caller claims idle
/// lingering workers for its loop (and wakes pool threads for the rest); a
/// lingering worker serves a claim by joining that loop, or leaves after
/// `LINGER` if nobody claimed it. Claims, not a single slot, because several
/// Python threads may start loops at once: each gets the helpers it counted.
struct Board {
    /// The loops posted and not yet finished.
    jobs: Mutex<Vec<Arc<Job>>>,
    /// Lingering workers no loop has claimed.
    idle: AtomicUsize,
}

static BOARD: Board = Board {
    jobs: Mutex::new(Vec::new()),
    idle: AtomicUsize::new(0),
};

impl Board {
    fn anyone_idle(&self) -> bool {
        self.idle.load(Ordering::Acquire) > 0
    }

    /// Posts `job` and claims up to `helpers` idle workers for it; returns
    /// how many it claimed.
    fn post(&self, job: &Arc<Job>, helpers: usize) -> usize {
        self.jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Arc::clone(job));
        let claimed = take_up_to(&self.idle, helpers);
        job.claims.store(claimed, Ordering::Release);
        claimed
    }

    /// Takes `job` off the board once it is finished; claims not served by
    /// then return their workers to idle.
    fn withdraw(&self, job: &Arc<Job>) {
        self.jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|j| !Arc::ptr_eq(j, job));
        let unserved = job.claims.swap(0, Ordering::AcqRel);
        self.idle.fetch_add(unserved, Ordering::AcqRel);
    }

    /// A posted loop with a claim not yet served, whose claim this worker
    /// now serves.
    fn claimed_job(&self) -> Option<Arc<Job>> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.iter()
            .find(|job| take_up_to(&job.claims, 1) == 1)
            .cloned()
    }

    /// A worker done with its loop: serves the claims on it, yielding its CPU
    /// between looks (the calling thread may need it more), until nobody has
    /// claimed it for `LINGER`.
    fn linger(&self) {
        self.idle.fetch_add(1, Ordering::AcqRel);
        let mut since = Instant::now();
        loop {
            if let Some(job) = self.claimed_job() {
                job.join();
                self.idle.fetch_add(1, Ordering::AcqRel);
                since = Instant::now();
            } else if since.elapsed() >= LINGER && take_up_to(&self.idle, 1) == 1 {
                // Unclaimed: leave. (When `idle` is 0, a caller has claimed
                // this worker and is posting its loop.)
                return;
            } else {
                std::thread::yield_now();
            }
        }
    }
}

/// Takes up to `n` from `counter` without going below zero; returns how many.
fn take_up_to(counter: &AtomicUsize, n: usize) -> usize {
    let mut now = counter.load(Ordering::Acquire);
    loop {
        let take = now.min(n);
        if take == 0 {
            return 0;
        }
        match counter.compare_exchange_weak(now, now - take, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return take,
            Err(actual) => now = actual,
        }
    }
}

/// One loop in flight. The caller runs chunks too and returns once every
/// chunk is done, without waiting for workers that never got to start: a
/// worker woken late finds no chunk left and ends. So `Job` is shared by
/// `Arc` and points at the caller's environment and partials with raw
/// pointers, which only a worker holding chunks follows, while the caller
/// still waits.
struct Job {
    chunk: ChunkFn,
    env: *const u64,
    env_slots: usize,
    count: i64,
    chunks: i64,
    partials: *mut u64,
    result_slots: usize,
    /// Whether consecutive chunks may run in one call (no partials, no
    /// private arrays): then a thread's calls run more chunks while they are
    /// short (`SHORT_CALL`). A call per chunk cost a loop of 20,000 elements
    /// (256 chunks) 5 µs on one thread, as long as its work.
    batched: bool,
    /// The chunks left, one share per worker: consecutive chunks, so that
    /// each thread streams through a block of the arrays as a static
    /// schedule does, and the threads balance at the end. Each on a cache
    /// line of its own: threads taking chunks from shares in one line spent
    /// more time passing it between the CPUs than running short chunks.
    shares: Vec<CachePadded<Share>>,
    /// Chunks run or skipped, added by each worker when it is done; the
    /// caller returns when all are.
    finished: CachePadded<AtomicI64>,
    /// The share the next worker to join takes (the caller has share 0).
    joined: AtomicUsize,
    /// Lingering workers claimed for this loop and not yet joined (`Board`).
    claims: AtomicUsize,
    caller: std::thread::Thread,
    /// The first chunk of the lowest failed call so far (`i64::MAX`: none).
    failed_at: AtomicI64,
    error: Mutex<Option<(i64, RaisedError)>>,
}

// SAFETY: the pointers are followed only while chunks are held, and the caller
// keeps their memory alive until every chunk is finished; `partials` is written
// at disjoint offsets, one chunk's slots per chunk, and read by the caller
// after every chunk is finished.
unsafe impl Send for Job {}
unsafe impl Sync for Job {}

/// A worker's reusable state: its context and its chunk arguments.
struct Worker {
    ctx: RuntimeContext,
    args: Vec<u64>,
}

impl Job {
    fn worker(&self) -> Worker {
        let mut args = Vec::with_capacity(self.env_slots + 3);
        if self.env_slots > 0 {
            // SAFETY: only called holding chunks (see `Job`): the caller's
            // array of `env_slots` slots is alive.
            args.extend_from_slice(unsafe { std::slice::from_raw_parts(self.env, self.env_slots) });
        }
        args.extend([0, 0, 0]);
        Worker {
            ctx: RuntimeContext::new(),
            args,
        }
    }

    /// How many chunks the next call of a thread whose last call took `took`
    /// (`None` when not timed: one chunk per call) runs.
    fn next_batch(batch: i64, took: Option<Duration>) -> i64 {
        match took {
            Some(took) if took < SHORT_CALL => batch.saturating_mul(2),
            Some(took) if took > 4 * SHORT_CALL => (batch / 2).max(1),
            Some(_) => batch,
            None => 1,
        }
    }

    /// The caller alone, before any worker is woken: runs chunks from the
    /// front of the one share until none is left (false) or `deadline` has
    /// passed (true).
    fn work_alone_until(&self, deadline: Instant, worker: &mut Worker) -> bool {
        let mut done: u64 = 0;
        let mut batch = 1;
        loop {
            let Some(chunks) = self.shares[0].take_first(batch) else {
                return false;
            };
            let started = self.batched.then(Instant::now);
            let n = self.run_unless_failed(chunks, worker);
            self.count_finished(n);
            done += n as u64;
            // One chunk per call, the clock is read after chunks 1, 2, 4, 8...:
            // reading it costs some 100 ns on a virtual machine, more than a
            // short chunk.
            if started.is_some() || done.is_power_of_two() {
                let now = Instant::now();
                if now >= deadline {
                    return self.shares[0].left() > 0;
                }
                batch = Job::next_batch(batch, started.map(|s| now - s));
            }
        }
    }

    /// Cuts the chunks left into `workers` shares of consecutive chunks.
    fn share_out(&mut self, workers: i64) {
        let (next, end) = Share::bounds(self.shares[0].0.load(Ordering::Relaxed));
        let bound = |w: i64| next + (end - next) * w / workers;
        self.shares = (0..workers)
            .map(|w| CachePadded::new(Share::new(bound(w), bound(w + 1))))
            .collect();
    }

    /// A worker joining the loop: takes the next share (none once every
    /// share has its worker) and works.
    fn join(&self) {
        let w = self.joined.fetch_add(1, Ordering::AcqRel);
        self.work(w, &mut None);
    }

    /// Share `w`'s worker: runs the chunks of its share, then those left in
    /// the others', until none is left.
    fn work(&self, w: usize, worker: &mut Option<Worker>) {
        let mut finished = 0;
        let mut batch = 1;
        while let Some(chunks) = self
            .take_own(w, batch)
            .or_else(|| self.take_from_others(w, batch))
        {
            let worker = worker.get_or_insert_with(|| self.worker());
            let started = self.batched.then(Instant::now);
            finished += self.run_unless_failed(chunks, worker);
            batch = Job::next_batch(batch, started.map(|s| s.elapsed()));
        }
        self.count_finished(finished);
    }

    /// `batch` chunks of `left`, but at most half: the rest stays for the
    /// others to balance with.
    fn batch_of(batch: i64, left: i64) -> i64 {
        batch.min((left + 1) / 2).max(1)
    }

    fn take_own(&self, w: usize, batch: i64) -> Option<Range<i64>> {
        let share = self.shares.get(w)?;
        share.take_first(Job::batch_of(batch, share.left()))
    }

    /// The last chunks of the share with the most left, but `w`'s own.
    fn take_from_others(&self, w: usize, batch: i64) -> Option<Range<i64>> {
        loop {
            let (_, fullest) = (self.shares.iter().enumerate())
                .filter(|&(v, share)| v != w && share.left() > 0)
                .max_by_key(|(_, share)| share.left())?;
            if let Some(chunks) = fullest.take_last(Job::batch_of(batch, fullest.left())) {
                return Some(chunks);
            }
        }
    }

    /// Runs `chunks` in one call, or skips them when they come after a failed
    /// call (every chunk before a failed one still runs, so the exception
    /// kept is the lowest failing iteration's); returns how many they are.
    fn run_unless_failed(&self, chunks: Range<i64>, worker: &mut Worker) -> i64 {
        if chunks.start <= self.failed_at.load(Ordering::Acquire) {
            self.run(chunks.clone(), worker);
        }
        chunks.end - chunks.start
    }

    fn count_finished(&self, chunks: i64) {
        if chunks > 0 && self.finished.fetch_add(chunks, Ordering::AcqRel) + chunks == self.chunks {
            self.caller.unpark();
        }
    }

    fn run(&self, chunks: Range<i64>, worker: &mut Worker) {
        // In i64 when it cannot overflow: a 128-bit division costs more
        // than a short chunk.
        let bound = |c: i64| match c.checked_mul(self.count) {
            Some(p) => p / self.chunks,
            None => (i128::from(c) * i128::from(self.count) / i128::from(self.chunks)) as i64,
        };
        let c = chunks.start;
        let n = self.env_slots;
        worker.args[n] = bound(c) as u64;
        worker.args[n + 1] = bound(chunks.end) as u64;
        worker.args[n + 2] = c as u64;
        let ret = self.partials.wrapping_add(c as usize * self.result_slots);
        // SAFETY: `chunk` is a chunk wrapper compiled for exactly this
        // argument layout; `ret` has `result_slots` slots of its own.
        let status = unsafe { (self.chunk)(worker.args.as_ptr(), ret, &mut worker.ctx) };
        if status != 0 {
            let error = worker.ctx.take_error().unwrap_or_else(|| RaisedError {
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

    fn take_error(&self) -> Option<(i64, RaisedError)> {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// The caller, its own chunks done: waits for those other threads hold,
    /// spinning at first (waking from `park` takes as long as a short loop).
    fn wait_until_finished(&self) {
        let since = Instant::now();
        while self.finished.load(Ordering::Acquire) < self.chunks {
            if since.elapsed() < LINGER {
                std::hint::spin_loop();
            } else {
                std::thread::park();
            }
        }
    }
}

/// Runs the chunks of a parallel loop (see `lower::ir::Stmt::ParallelFor`):
/// 0 when all ran, 1 after recording in `ctx` the exception of the lowest
/// failing chunk. `one_call_per_chunk` is non-zero when each chunk needs a
/// call of its own (partials, or private arrays by chunk number).
///
/// # Safety
/// `env` has `env_slots` slots, `partials` has `chunks * result_slots` (or is
/// unused when `result_slots` is 0), `chunk` is compiled for that layout,
/// `ctx` is the caller's live context, and `chunks` is below 2**32 (lowering
/// makes at most 256).
pub(crate) unsafe extern "C" fn ferrojit_parallel_for(
    ctx: *mut RuntimeContext,
    chunk: ChunkFn,
    env: *const u64,
    env_slots: i64,
    count: i64,
    chunks: i64,
    partials: *mut u64,
    result_slots: i64,
    one_call_per_chunk: i32,
) -> i32 {
    if count <= 0 || chunks <= 0 {
        return 0;
    }
    debug_assert!(
        chunks <= i64::from(u32::MAX),
        "{chunks} chunks do not fit a share"
    );
    let mut job = Job {
        chunk,
        env,
        // JIT code passes its stack array of `env_slots` slots.
        env_slots: if env.is_null() {
            0
        } else {
            usize::try_from(env_slots).unwrap_or(0)
        },
        count,
        chunks,
        partials,
        result_slots: usize::try_from(result_slots).unwrap_or(0),
        batched: one_call_per_chunk == 0,
        shares: vec![CachePadded::new(Share::new(0, chunks))],
        finished: CachePadded::new(AtomicI64::new(0)),
        joined: AtomicUsize::new(1),
        claims: AtomicUsize::new(0),
        caller: std::thread::current(),
        failed_at: AtomicI64::new(i64::MAX),
        error: Mutex::new(None),
    };
    let workers = i64::try_from(num_threads()).unwrap_or(1).min(chunks);
    let mut worker = job.worker();
    // Workers lingering from the last loop join at once.
    let alone = if BOARD.anyone_idle() {
        Duration::ZERO
    } else {
        FAN_OUT_AFTER
    };
    let error = match pool() {
        Some(pool) if workers > 1 && job.work_alone_until(Instant::now() + alone, &mut worker) => {
            job.share_out(workers);
            let job = Arc::new(job);
            let helpers = workers as usize - 1;
            for _ in BOARD.post(&job, helpers)..helpers {
                let job = Arc::clone(&job);
                pool.spawn(move || {
                    job.join();
                    BOARD.linger();
                });
            }
            job.work(0, &mut Some(worker));
            job.wait_until_finished();
            BOARD.withdraw(&job);
            job.take_error()
        }
        _ => {
            job.work(0, &mut Some(worker));
            job.take_error()
        }
    };
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

    /// A chunk for consecutive chunks in one call: adds its `lo..hi` to the
    /// `AtomicI64` at `env[1]` and counts its calls at `env[2]`; fails at
    /// iteration `env[0]` as `sum_chunk`.
    unsafe extern "C" fn shared_sum_chunk(
        args: *const u64,
        _: *mut u64,
        ctx: *mut RuntimeContext,
    ) -> i32 {
        let [fail, sum, calls, lo, hi] = unsafe { *(args as *const [u64; 5]) };
        let (sum, calls) = unsafe { (&*(sum as *const AtomicI64), &*(calls as *const AtomicI64)) };
        calls.fetch_add(1, Ordering::Relaxed);
        let (fail, lo, hi) = (fail as i64, lo as i64, hi as i64);
        if (lo..hi).contains(&fail) {
            unsafe { &mut *ctx }.set_error(RaisedError {
                kind: ExceptionKind::IndexError,
                message: format!("iteration {fail}"),
                frames: Vec::new(),
            });
            return 1;
        }
        sum.fetch_add((lo..hi).sum::<i64>(), Ordering::Relaxed);
        0
    }

    /// `shared_sum_chunk` over `0..count` in `chunks` chunks that may share
    /// calls: the status, the sum, the number of calls, the exception.
    fn run_batched(count: i64, chunks: i64, fail: i64) -> (i32, i64, i64, Option<RaisedError>) {
        let mut ctx = RuntimeContext::new();
        let (sum, calls) = (AtomicI64::new(0), AtomicI64::new(0));
        let env = [
            fail as u64,
            &sum as *const AtomicI64 as u64,
            &calls as *const AtomicI64 as u64,
        ];
        let status = unsafe {
            ferrojit_parallel_for(
                &mut ctx,
                shared_sum_chunk,
                env.as_ptr(),
                3,
                count,
                chunks,
                ptr::null_mut(),
                0,
                0,
            )
        };
        (
            status,
            sum.into_inner(),
            calls.into_inner(),
            ctx.take_error(),
        )
    }

    #[test]
    fn consecutive_chunks_share_calls_and_cover_the_range_once() {
        for (count, chunks) in [(1, 1), (7, 2), (1000, 256), (100_000, 256)] {
            let (status, sum, calls, error) = run_batched(count, chunks, -1);
            assert_eq!((status, error), (0, None));
            assert_eq!(sum, count * (count - 1) / 2, "{count} in {chunks}");
            assert!(calls <= chunks, "{calls} calls for {chunks} chunks");
        }
        // Chunks of four iterations take well under `SHORT_CALL`.
        let (_, _, calls, _) = run_batched(1000, 250, -1);
        assert!(calls < 250, "{calls} calls for 250 short chunks");
    }

    #[test]
    fn short_calls_run_more_chunks_and_long_ones_fewer() {
        let us = Duration::from_micros;
        assert_eq!(Job::next_batch(4, Some(us(1))), 8);
        assert_eq!(Job::next_batch(4, Some(SHORT_CALL * 2)), 4);
        assert_eq!(Job::next_batch(4, Some(us(1000))), 2);
        assert_eq!(Job::next_batch(1, Some(us(1000))), 1);
        assert_eq!(Job::next_batch(8, None), 1, "untimed: one chunk per call");
        // Never more than half of what is left, never none.
        assert_eq!(Job::batch_of(64, 10), 5);
        assert_eq!(Job::batch_of(64, 1), 1);
        assert_eq!(Job::batch_of(2, 100), 2);
    }

    #[test]
    fn the_lowest_failing_iteration_is_reported_from_shared_calls() {
        for fail in [0, 1, 500, 99_998, 99_999] {
            let (status, _, _, error) = run_batched(100_000, 256, fail);
            assert_eq!(status, 1);
            assert_eq!(error.map(|e| e.message), Some(format!("iteration {fail}")));
        }
    }

    #[test]
    fn loops_back_to_back_and_from_several_threads_each_run_once() {
        // Workers lingering after one loop join the next, possibly another
        // caller's; a late one finds nothing to do.
        let callers: Vec<_> = (0..3)
            .map(|t| {
                std::thread::spawn(move || {
                    for k in 0..300 {
                        let count = 20_000 + 37 * k + t;
                        let (status, sum, _, error) = run_batched(count, 64, -1);
                        assert_eq!((status, sum, error), (0, count * (count - 1) / 2, None));
                        let (status, partials, error) = run(count, 64, -1);
                        assert_eq!((status, error), (0, None));
                        assert_eq!(partials.iter().sum::<i64>(), count * (count - 1) / 2);
                    }
                })
            })
            .collect();
        for caller in callers {
            caller.join().unwrap();
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
                1,
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
