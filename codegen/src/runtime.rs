//! What JIT code calls back into (error recording, allocation), and what the
//! caller reads back after a call.
//!
//! Every `extern "C"` function here is called from JIT frames, so none of
//! them may panic: they only record into the context and report failure
//! through their return value.

use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicPtr, Ordering};

use lower::ir::{ExceptionKind, BUFFER_DATA_OFFSET};

/// An exception raised by compiled code, to be turned into a Python exception.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaisedError {
    pub kind: ExceptionKind,
    pub message: String,
    /// Where it was raised, then each call it passed through: innermost first.
    pub frames: Vec<Frame>,
}

/// One traceback entry: a line of a compiled Python function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub function: String,
    pub file: String,
    pub line: u32,
}

/// Per-call state shared with JIT code: the lowest stack address recursive
/// code may reach and the pending exception.
///
/// The stack limit is the calling thread's: JIT code that runs on another
/// thread needs a context created there.
#[derive(Debug)]
#[repr(C)]
pub struct RuntimeContext {
    /// Read by JIT code (`lower::ir::Inst::StackExhausted`) at offset 0.
    stack_limit: usize,
    error: Option<RaisedError>,
}

const _: () = assert!(std::mem::offset_of!(RuntimeContext, stack_limit) == 0);

/// Buffers are aligned for the widest vector loads (AVX-512) and cache lines.
pub(crate) const BUFFER_ALIGN: usize = 64;

/// Stack kept free below the limit: it must hold the frame of the recursive
/// function that passed the check, the chain of non-recursive functions it
/// may call, and the runtime functions they call (formatting a message,
/// allocating). Stacks smaller than four times this keep a quarter free.
const STACK_MARGIN: usize = 256 * 1024;

/// How deep recursion may go below the first call on a thread whose stack
/// bounds cannot be read.
const FALLBACK_STACK_DEPTH: usize = 512 * 1024;

thread_local! {
    /// This thread's stack limit, computed on its first call (reading the
    /// bounds can be slow: glibc parses /proc/self/maps for the main thread).
    static STACK_LIMIT: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// The lowest address of the current thread's stack and its size.
#[cfg(target_os = "linux")]
fn thread_stack() -> Option<(usize, usize)> {
    // SAFETY: `attr` is initialised by `pthread_getattr_np` before it is read
    // and destroyed once; the out-pointers are valid locals.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut low: *mut libc::c_void = ptr::null_mut();
        let mut size: libc::size_t = 0;
        let rc = libc::pthread_attr_getstack(&attr, &mut low, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        (rc == 0 && !low.is_null() && size > 0).then_some((low as usize, size))
    }
}

#[cfg(not(target_os = "linux"))]
fn thread_stack() -> Option<(usize, usize)> {
    None
}

fn current_stack_limit() -> usize {
    STACK_LIMIT.with(|cell| {
        if let Some(limit) = cell.get() {
            return limit;
        }
        let here = {
            let marker = 0u8;
            std::hint::black_box(&marker) as *const u8 as usize
        };
        let limit = match thread_stack() {
            Some((low, size)) if low < here && here <= low.saturating_add(size) => {
                low.saturating_add(STACK_MARGIN.min(size / 4))
            }
            _ => here.saturating_sub(FALLBACK_STACK_DEPTH),
        };
        cell.set(Some(limit));
        limit
    })
}

impl Default for RuntimeContext {
    fn default() -> Self {
        RuntimeContext::new()
    }
}

impl RuntimeContext {
    /// A context for a call made on the current thread.
    pub fn new() -> RuntimeContext {
        RuntimeContext {
            stack_limit: current_stack_limit(),
            error: None,
        }
    }

    pub fn take_error(&mut self) -> Option<RaisedError> {
        self.error.take()
    }

    /// Passes on an exception a worker of a parallel loop raised.
    pub(crate) fn set_error(&mut self, error: RaisedError) {
        self.error = Some(error);
    }

    /// The first exception of a call is the one Python sees; later ones are
    /// consequences of unwinding the kernel and are dropped.
    fn record(&mut self, kind: ExceptionKind, message: String) {
        if self.error.is_none() {
            self.error = Some(RaisedError {
                kind,
                message,
                frames: Vec::new(),
            });
        }
    }
}

/// Buffers made by compiled code and alive now, counted only once
/// `count_buffers` was called: a shared atomic costs allocation-heavy loops
/// about a tenth of their time, so only the memory tests pay for it.
static LIVE_BUFFERS: AtomicI64 = AtomicI64::new(0);
static COUNTING: AtomicBool = AtomicBool::new(false);

/// Starts counting live buffers; call it before compiled code allocates any.
pub fn count_buffers() {
    COUNTING.store(true, Ordering::Relaxed);
}

/// How many buffers allocated by compiled code are alive (not yet freed), when counted.
pub fn live_buffers() -> Option<i64> {
    COUNTING
        .load(Ordering::Relaxed)
        .then(|| LIVE_BUFFERS.load(Ordering::Relaxed))
}

/// A buffer of `size` data bytes: its header (the reference count, the `i64`
/// JIT code updates in place, see `lower::ir::Stmt::Retain`, then where the
/// allocation starts, then its length with the header) with the data
/// `BUFFER_DATA_OFFSET` bytes after it, in one allocation. Null when the
/// allocator refuses.
///
/// `malloc`/`calloc` rather than `posix_memalign` below `MAP_FROM`: their
/// thread caches serve small sizes several times faster. From `MAP_FROM` on, a
/// mapping of its own (see `map_buffer`). The header goes on the first aligned
/// address. A buffer whose contents need not be zero may be a spare (`SPARES`).
fn new_buffer(size: usize, zeroed: bool) -> *mut u8 {
    let Some(total) = size.checked_add(BUFFER_DATA_OFFSET as usize + BUFFER_ALIGN - 1) else {
        return ptr::null_mut();
    };
    let buffer = match take_spare(total, zeroed) {
        Some(buffer) => buffer,
        None => {
            // Where the allocation starts, and where the buffer (its header) does.
            let (start, buffer) = if total >= MAP_FROM {
                map_buffer(total)
            } else {
                // SAFETY: plain C allocation of `total` bytes.
                let start = unsafe {
                    if zeroed {
                        libc::calloc(1, total)
                    } else {
                        libc::malloc(total)
                    }
                }
                .cast::<u8>();
                (start, start.wrapping_add(start.align_offset(BUFFER_ALIGN)))
            };
            if start.is_null() {
                return ptr::null_mut();
            }
            // SAFETY: `buffer` is aligned, and the header and `size` data bytes
            // after it are inside the allocation (at most `BUFFER_ALIGN - 1`
            // bytes into a C allocation; see `map_buffer` for a mapping).
            unsafe {
                buffer.add(8).cast::<*mut u8>().write(start);
                buffer.add(16).cast::<usize>().write(total);
            }
            buffer
        }
    };
    // SAFETY: the header is inside the allocation (above).
    unsafe { buffer.cast::<i64>().write(1) };
    if COUNTING.load(Ordering::Relaxed) {
        LIVE_BUFFERS.fetch_add(1, Ordering::Relaxed);
    }
    buffer
}

/// From this size on (header included), a buffer is a mapping of its own
/// advised for transparent huge pages (`map_buffer`), NumPy's threshold for
/// that advice: a large array then takes one page fault per 2 MiB rather than
/// per 4 KiB on first touch.
const MAP_FROM: usize = 4 << 20;

/// A transparent huge page: the alignment of a large buffer.
const HUGE_PAGE: usize = 2 << 20;

/// The length of the mapping `map_buffer` makes for `total` bytes: whole huge
/// pages from the data's boundary on, so that the last one, partly data, is
/// one too (else the 2 MiB region holding the data's end, when the mapping
/// ended inside it, took a small-page fault per 4 KiB), and 2 MiB to reach
/// that boundary.
fn mapping_len(total: usize) -> Option<usize> {
    total
        .checked_next_multiple_of(HUGE_PAGE)?
        .checked_add(HUGE_PAGE)
}

/// A mapping of fresh zero pages and the buffer in it, whose data starts on
/// its first 2 MiB boundary (with room for the header before it), the data
/// advised for huge pages (`MADV_HUGEPAGE`; only advice, so a refusal changes
/// nothing); nulls when refused. Lazily zeroed as `calloc`'s large blocks are,
/// and aligned: malloc's own mappings start anywhere, so the 2 MiB regions at
/// the ends of the data got small pages, and how many depended on where the
/// kernel put the mapping (an 80 MB `np.zeros` written once took 114 or 625
/// page faults from one call to the next). The header's page is left a small
/// one: in a huge page, writing the header would fault in and zero 2 MiB, ten
/// times what an `np.zeros` that is never written costs. The pages before the
/// header and after the data are never touched: address space only.
fn map_buffer(total: usize) -> (*mut u8, *mut u8) {
    let null = (ptr::null_mut(), ptr::null_mut());
    let Some(len) = mapping_len(total) else {
        return null;
    };
    // SAFETY: a new private anonymous mapping; nothing else refers to it.
    let map = unsafe {
        libc::mmap(
            ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if map == libc::MAP_FAILED {
        return null;
    }
    let map = map.cast::<u8>();
    let header = BUFFER_DATA_OFFSET as usize;
    // The mapping starts on a page, so the first boundary at least `header`
    // bytes in is at most `HUGE_PAGE` bytes in; the whole huge pages of
    // `total` bytes from there are inside the mapping (`mapping_len`).
    let data = map.wrapping_add(header + map.wrapping_add(header).align_offset(HUGE_PAGE));
    let advised = len - (data as usize - map as usize);
    // SAFETY: advice on the part of the mapping from `data` on; it does not
    // change its contents.
    unsafe { libc::madvise(data.cast(), advised, libc::MADV_HUGEPAGE) };
    (map, data.wrapping_sub(header))
}

/// Freed buffers of `REUSE_FROM..=REUSE_UP_TO` bytes in all, one per size
/// class (`spare_slot`), each kept for the next allocation of about its size
/// (null when none). A large buffer is a mapping that goes back to the kernel
/// when freed, and a new one costs a page fault and the kernel's zeroing of
/// every page on first touch, about as long as the loop that fills it (a fused
/// `a * x + b` over 80 MB: twice as long). A mid-sized one is glibc's, whose
/// `malloc` and `free` above its thread cache sort the chunk through the
/// arena's bins: a fresh `np.empty(1000)` per step of a loop spent a fifth of
/// its cycles in `_int_malloc`, `unlink_chunk` and `_int_free`. A function
/// called repeatedly for a result, or a loop making a temporary per step,
/// frees the last one as it gets the next, so one spare serves it; a spare of
/// each class keeps a large result's reuse from being undone by a temporary.
/// Not for zeroed requests, whose untouched pages cost nothing.
static SPARES: [AtomicPtr<u8>; 2] = [
    AtomicPtr::new(ptr::null_mut()),
    AtomicPtr::new(ptr::null_mut()),
];

/// Allocations of at least this many bytes (with the header) reuse a spare:
/// below it glibc's thread cache (chunks of up to 1032 bytes) serves `malloc`
/// and `free` in a few instructions.
const REUSE_FROM: usize = 2 << 10;

/// Larger buffers go back to the kernel when freed, so that freeing a huge
/// array returns its memory.
const REUSE_UP_TO: usize = 256 << 20;

/// The spare slot of buffers of `total` bytes: one for glibc's (mid-sized)
/// buffers, one for mapped ones; none outside `REUSE_FROM..=REUSE_UP_TO`.
fn spare_slot(total: usize) -> Option<&'static AtomicPtr<u8>> {
    match total {
        t if !(REUSE_FROM..=REUSE_UP_TO).contains(&t) => None,
        t if t < MAP_FROM => Some(&SPARES[0]),
        _ => Some(&SPARES[1]),
    }
}

/// The spare of `total`'s class, when it holds between `total` and twice
/// `total` bytes and the contents need not be zero.
fn take_spare(total: usize, zeroed: bool) -> Option<*mut u8> {
    let slot = spare_slot(total).filter(|_| !zeroed)?;
    let spare = slot.swap(ptr::null_mut(), Ordering::Acquire);
    if spare.is_null() {
        return None;
    }
    // SAFETY: a spare is a whole buffer from `new_buffer`, owned by nobody else now.
    let spare_total = unsafe { spare.add(16).cast::<usize>().read() };
    if (total..=total.saturating_mul(2)).contains(&spare_total) {
        return Some(spare);
    }
    // SAFETY: as above; it is the only reference.
    unsafe { free_allocation(spare) };
    None
}

/// Frees a buffer nobody refers to any more, or keeps it as the spare of its
/// size class (freeing the one it replaces).
///
/// # Safety
/// `buffer` is a buffer from `new_buffer` nobody refers to any more.
unsafe fn retire(buffer: *mut u8) {
    // SAFETY: the header is the buffer's (see `new_buffer`).
    let total = unsafe { buffer.add(16).cast::<usize>().read() };
    let old = match spare_slot(total) {
        Some(slot) => slot.swap(buffer, Ordering::AcqRel),
        None => buffer,
    };
    if !old.is_null() {
        // SAFETY: `old` left the spare slot (or was never in it): ours alone.
        unsafe { free_allocation(old) };
    }
}

/// Gives a buffer's whole allocation back: its mapping, or to the C allocator.
///
/// # Safety
/// `buffer` is a buffer from `new_buffer` nobody refers to any more.
unsafe fn free_allocation(buffer: *mut u8) {
    // SAFETY: `new_buffer` wrote where its allocation starts and its length
    // after the count.
    let (start, total) = unsafe {
        (
            buffer.add(8).cast::<*mut u8>().read(),
            buffer.add(16).cast::<usize>().read(),
        )
    };
    if total < MAP_FROM {
        // SAFETY: `start` came from malloc/calloc.
        unsafe { libc::free(start.cast()) };
    } else if let Some(len) = mapping_len(total) {
        // SAFETY: `start` is the mapping `map_buffer` made of this length.
        unsafe { libc::munmap(start.cast(), len) };
    }
}

/// Drops one reference to a buffer from `ferrojit_alloc`, freeing it with the last.
///
/// # Safety
/// `buffer` must be a live buffer whose reference the caller owns.
pub unsafe fn release_buffer(buffer: *mut u8) {
    // SAFETY: the count is the buffer's first i64, updated atomically by JIT code too.
    let count = unsafe { AtomicI64::from_ptr(buffer.cast()) };
    if count.fetch_sub(1, Ordering::Release) == 1 {
        std::sync::atomic::fence(Ordering::Acquire);
        // SAFETY: called once, by the holder of the last reference.
        unsafe { ferrojit_buffer_free(buffer) };
    }
}

/// Frees a buffer whose count reached zero (JIT code calls it from `Release`).
pub(crate) unsafe extern "C" fn ferrojit_buffer_free(buffer: *mut u8) {
    if COUNTING.load(Ordering::Relaxed) {
        LIVE_BUFFERS.fetch_sub(1, Ordering::Relaxed);
    }
    // SAFETY: the count reached zero, so nobody refers to the buffer.
    unsafe { retire(buffer) }
}

/// The code JIT code passes for an exception kind: its index in `ExceptionKind::ALL`.
pub(crate) fn exception_code(kind: ExceptionKind) -> u32 {
    ExceptionKind::ALL
        .iter()
        .position(|&k| k == kind)
        .map_or(0, |i| i as u32)
}

/// `raise kind(message)` from a runtime function JIT code called with its
/// context (null tolerated).
///
/// # Safety
/// `ctx` is the call's live context, or null.
pub(crate) unsafe fn raise(ctx: *mut RuntimeContext, kind: ExceptionKind, message: String) {
    // SAFETY: as the caller promises.
    if let Some(ctx) = unsafe { ctx.as_mut() } {
        ctx.record(kind, message);
    }
}

/// `raise kind(message)`; `message` is `len` bytes of UTF-8.
pub(crate) unsafe extern "C" fn ferrojit_raise_message(
    ctx: *mut RuntimeContext,
    kind: u32,
    message: *const u8,
    len: i64,
) {
    // SAFETY: JIT code passes the call's live context (or null, tolerated).
    let Some(ctx) = (unsafe { ctx.as_mut() }) else {
        return;
    };
    let kind = ExceptionKind::ALL
        .get(kind as usize)
        .copied()
        .unwrap_or(ExceptionKind::RuntimeError);
    let text = match usize::try_from(len) {
        Ok(len) if !message.is_null() => {
            // SAFETY: JIT code passes a private constant of exactly `len` bytes.
            let bytes = unsafe { std::slice::from_raw_parts(message, len) };
            String::from_utf8_lossy(bytes).into_owned()
        }
        _ => String::new(),
    };
    ctx.record(kind, text);
}

/// NumPy's `IndexError` for an index outside its axis.
pub(crate) unsafe extern "C" fn ferrojit_raise_index_error(
    ctx: *mut RuntimeContext,
    index: i64,
    axis: i64,
    size: i64,
) {
    // SAFETY: JIT code passes the call's live context (or null, tolerated).
    let Some(ctx) = (unsafe { ctx.as_mut() }) else {
        return;
    };
    ctx.record(
        ExceptionKind::IndexError,
        format!("index {index} is out of bounds for axis {axis} with size {size}"),
    );
}

/// Adds a traceback entry to the pending exception: JIT code calls it after
/// raising, and when a call it made failed. `site` is `len` bytes of UTF-8,
/// the function's name and file separated by a newline.
pub(crate) unsafe extern "C" fn ferrojit_trace(
    ctx: *mut RuntimeContext,
    site: *const u8,
    len: i64,
    line: i64,
) {
    // SAFETY: JIT code passes the call's live context (or null, tolerated).
    let Some(error) = (unsafe { ctx.as_mut() }).and_then(|ctx| ctx.error.as_mut()) else {
        return;
    };
    let site = match usize::try_from(len) {
        // SAFETY: JIT code passes a private constant of exactly `len` bytes.
        Ok(len) if !site.is_null() => {
            String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(site, len) })
        }
        _ => return,
    };
    let (function, file) = site.split_once('\n').unwrap_or((&site, ""));
    error.frames.push(Frame {
        function: function.to_string(),
        file: file.to_string(),
        line: u32::try_from(line).unwrap_or(0),
    });
}

/// A new buffer of `bytes` data bytes (zero-filled when `zeroed != 0`) with
/// one reference, or null (JIT code then raises NumPy's `MemoryError`, which
/// names the array's shape and dtype: `shapes::MEMORY`).
pub(crate) unsafe extern "C" fn ferrojit_alloc(
    _ctx: *mut RuntimeContext,
    bytes: i64,
    zeroed: i32,
) -> *mut u8 {
    usize::try_from(bytes)
        .map(|size| new_buffer(size, zeroed != 0))
        .unwrap_or(ptr::null_mut())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_error_wins() {
        let mut ctx = RuntimeContext::new();
        let msg = "bad value";
        unsafe {
            ferrojit_raise_message(
                &mut ctx,
                exception_code(ExceptionKind::ValueError),
                msg.as_ptr(),
                msg.len() as i64,
            );
            ferrojit_raise_index_error(&mut ctx, 7, 0, 7);
        }
        assert_eq!(
            ctx.take_error(),
            Some(RaisedError {
                kind: ExceptionKind::ValueError,
                message: "bad value".into(),
                frames: Vec::new(),
            })
        );
        assert_eq!(ctx.take_error(), None);
    }

    #[test]
    fn frames_are_added_to_the_pending_exception_only() {
        let mut ctx = RuntimeContext::new();
        let site = "kernel\n/src/k.py";
        // SAFETY: a live context and a string of the given length.
        unsafe {
            ferrojit_trace(&mut ctx, site.as_ptr(), site.len() as i64, 3);
            ferrojit_raise_message(
                &mut ctx,
                exception_code(ExceptionKind::ValueError),
                ptr::null(),
                0,
            );
            ferrojit_trace(&mut ctx, site.as_ptr(), site.len() as i64, 4);
            ferrojit_trace(&mut ctx, site.as_ptr(), site.len() as i64, 9);
        }
        let frames = ctx.take_error().map(|e| e.frames).unwrap_or_default();
        let lines: Vec<u32> = frames.iter().map(|f| f.line).collect();
        assert_eq!(lines, [4, 9]);
        assert_eq!(
            (frames[0].function.as_str(), frames[0].file.as_str()),
            ("kernel", "/src/k.py")
        );
    }

    #[test]
    fn index_error_uses_numpy_wording() {
        let mut ctx = RuntimeContext::new();
        unsafe { ferrojit_raise_index_error(&mut ctx, -9, 1, 4) };
        let err = ctx.take_error().unwrap();
        assert_eq!(err.kind, ExceptionKind::IndexError);
        assert_eq!(
            err.message,
            "index -9 is out of bounds for axis 1 with size 4"
        );
    }

    #[test]
    fn buffers_are_aligned_zeroed_and_freed_with_their_last_reference() {
        let mut ctx = RuntimeContext::new();
        let a = unsafe { ferrojit_alloc(&mut ctx, 1000, 1) };
        let b = unsafe { ferrojit_alloc(&mut ctx, 0, 0) };
        assert!(!a.is_null() && !b.is_null());
        // SAFETY: `a` has 1000 data bytes after its header.
        let data = unsafe { a.add(BUFFER_DATA_OFFSET as usize) };
        assert_eq!(data as usize % BUFFER_ALIGN, 0);
        assert!(unsafe { std::slice::from_raw_parts(data, 1000) }
            .iter()
            .all(|&x| x == 0));
        // A second reference, as JIT code's `Retain` takes it.
        unsafe { AtomicI64::from_ptr(a.cast()) }.fetch_add(1, Ordering::Relaxed);
        unsafe { release_buffer(a) };
        assert_eq!(unsafe { *a.cast::<i64>() }, 1, "one reference is left");
        unsafe { release_buffer(a) };
        unsafe { release_buffer(b) };
    }

    /// The only test that makes buffers of `REUSE_FROM..MAP_FROM` bytes (the
    /// header included), so no other test of this binary takes or replaces
    /// their spare meanwhile.
    #[test]
    fn a_mid_sized_freed_buffer_is_reused_by_the_next_of_about_its_size() {
        let mut ctx = RuntimeContext::new();
        let a = unsafe { ferrojit_alloc(&mut ctx, 8000, 0) };
        unsafe { release_buffer(a) };
        assert_eq!(SPARES[0].load(Ordering::Relaxed), a);
        let b = unsafe { ferrojit_alloc(&mut ctx, 7000, 0) };
        assert_eq!(
            b, a,
            "the spare serves the next allocation of about its size"
        );
        assert_eq!(unsafe { *b.cast::<i64>() }, 1);
        assert!(SPARES[0].load(Ordering::Relaxed).is_null());
        unsafe { release_buffer(b) };
        // Below `REUSE_FROM`: freed at once; the spare stays.
        let small = unsafe { ferrojit_alloc(&mut ctx, 100, 0) };
        unsafe { release_buffer(small) };
        assert_eq!(SPARES[0].load(Ordering::Relaxed), a);
    }

    /// The only test that makes buffers of `MAP_FROM` bytes or more, so no
    /// other test of this binary takes or replaces their spare meanwhile.
    #[test]
    fn a_large_freed_buffer_is_reused_by_the_next_but_never_for_zeros() {
        let mut ctx = RuntimeContext::new();
        let size: i64 = 16 << 20;
        let data = |b: *mut u8| unsafe { b.add(BUFFER_DATA_OFFSET as usize) };
        let a = unsafe { ferrojit_alloc(&mut ctx, size, 0) };
        assert_eq!(
            data(a) as usize % HUGE_PAGE,
            0,
            "a mapped buffer's data starts on a huge page"
        );
        let fresh = unsafe { std::slice::from_raw_parts(data(a), size as usize) };
        assert!(fresh.iter().all(|&x| x == 0), "fresh pages are zero");
        unsafe { data(a).write_bytes(0xAB, size as usize) };
        unsafe { release_buffer(a) };
        // Not zeroed, about the size: the very buffer, its count set anew.
        let b = unsafe { ferrojit_alloc(&mut ctx, size - 4096, 0) };
        assert_eq!(
            b, a,
            "the spare serves the next allocation of about its size"
        );
        assert_eq!(unsafe { *b.cast::<i64>() }, 1);
        unsafe { release_buffer(b) };
        // Zeroed: never the spare (which holds 0xAB), zeros as calloc gives.
        let z = unsafe { ferrojit_alloc(&mut ctx, size, 1) };
        assert_ne!(z, a);
        let bytes = unsafe { std::slice::from_raw_parts(data(z), size as usize) };
        assert!(bytes.iter().all(|&x| x == 0));
        // Far smaller than the spare: a new allocation (the spare is freed).
        let small = unsafe { ferrojit_alloc(&mut ctx, size / 4, 0) };
        assert_ne!(small, a);
        unsafe { release_buffer(small) };
        unsafe { release_buffer(z) };
        // Above `REUSE_UP_TO`: freed, not kept; the spare stays the last one kept.
        let spare = SPARES[1].load(Ordering::Relaxed);
        let huge = unsafe { ferrojit_alloc(&mut ctx, (REUSE_UP_TO + 1) as i64, 0) };
        unsafe { release_buffer(huge) };
        assert_eq!(SPARES[1].load(Ordering::Relaxed), spare);
    }

    #[test]
    fn negative_size_fails() {
        let mut ctx = RuntimeContext::new();
        let p = unsafe { ferrojit_alloc(&mut ctx, -8, 0) };
        assert!(p.is_null());
    }

    #[test]
    fn every_exception_kind_round_trips_through_its_code() {
        for kind in ExceptionKind::ALL {
            let mut ctx = RuntimeContext::new();
            unsafe { ferrojit_raise_message(&mut ctx, exception_code(kind), std::ptr::null(), 0) };
            assert_eq!(ctx.take_error().unwrap().kind, kind);
        }
    }
}

// 128-bit division, which LLVM lowers to compiler-rt calls: its loop passes
// compute a trip count in i128 where i64 could overflow (a `range` with a
// step known only at run time, unrolled), and the JIT links no compiler-rt.
// A zero divisor (never passed: a zero step raises first) gives 0, not a panic.

pub(crate) extern "C" fn ferrojit_udivti3(a: u128, b: u128) -> u128 {
    a.checked_div(b).unwrap_or(0)
}

pub(crate) extern "C" fn ferrojit_umodti3(a: u128, b: u128) -> u128 {
    a.checked_rem(b).unwrap_or(0)
}

pub(crate) extern "C" fn ferrojit_divti3(a: i128, b: i128) -> i128 {
    a.checked_div(b).unwrap_or(0)
}

pub(crate) extern "C" fn ferrojit_modti3(a: i128, b: i128) -> i128 {
    a.checked_rem(b).unwrap_or(0)
}
