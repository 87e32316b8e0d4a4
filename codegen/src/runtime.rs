//! What JIT code calls back into (error recording, allocation), and what the
//! caller reads back after a call.

use lower::ir::ExceptionKind;

/// An exception raised by compiled code, to be turned into a Python exception.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaisedError {
    pub kind: ExceptionKind,
    pub message: String,
}

/// Per-call state shared with JIT code: the pending exception and the
/// buffers allocated during the call.
#[derive(Debug, Default)]
pub struct RuntimeContext {
    error: Option<RaisedError>,
    allocations: Vec<*mut u8>,
}

impl RuntimeContext {
    pub fn take_error(&mut self) -> Option<RaisedError> {
        self.error.take()
    }

    /// Removes `ptr` from the buffers freed with this context, so a returned
    /// array can own it; release it later with `free_buffer`. False when
    /// `ptr` was not allocated in this call.
    pub fn keep_allocation(&mut self, ptr: *mut u8) -> bool {
        let _ = ptr;
        unimplemented!("being written")
    }
}

/// Frees a buffer given up by `RuntimeContext::keep_allocation`.
///
/// # Safety
/// `ptr` must come from `keep_allocation` and be freed once.
pub unsafe fn free_buffer(ptr: *mut u8) {
    let _ = ptr;
    unimplemented!("being written")
}
