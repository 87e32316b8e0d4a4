//! `ferrojit._native`: the dispatcher, the exception classes, and the glue
//! between Python objects and the compiler pipeline. The only crate that uses pyo3.

mod args;
mod dispatcher;
mod errors;
mod pipeline;
mod resolve;
mod results;
mod source;

use pyo3::prelude::*;

use dispatcher::Dispatcher;
use errors::{CompileError, InternalError, TypingError, UnsupportedError};

/// How many array buffers allocated by compiled code are alive: the memory
/// tests check that it returns to where it was.
#[pyfunction]
fn live_buffers() -> i64 {
    codegen::runtime::live_buffers()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    args::init(py)?;
    m.add("CompileError", py.get_type::<CompileError>())?;
    m.add("TypingError", py.get_type::<TypingError>())?;
    m.add("UnsupportedError", py.get_type::<UnsupportedError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add_class::<Dispatcher>()?;
    m.add_function(wrap_pyfunction!(live_buffers, m)?)?;
    Ok(())
}
