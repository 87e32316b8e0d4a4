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
/// tests check that it returns to where it was. Counting costs allocation
/// speed, so it is on only when `FERROJIT_COUNT_BUFFERS` was set at import.
#[pyfunction]
fn live_buffers() -> PyResult<i64> {
    codegen::runtime::live_buffers().ok_or_else(|| {
        pyo3::exceptions::PyRuntimeError::new_err(
            "live buffers are counted only when FERROJIT_COUNT_BUFFERS=1 is set before ferrojit is imported",
        )
    })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    args::init(py)?;
    if std::env::var_os("FERROJIT_COUNT_BUFFERS").is_some_and(|v| v == "1") {
        codegen::runtime::count_buffers();
    }
    m.add("CompileError", py.get_type::<CompileError>())?;
    m.add("TypingError", py.get_type::<TypingError>())?;
    m.add("UnsupportedError", py.get_type::<UnsupportedError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add_class::<Dispatcher>()?;
    m.add_function(wrap_pyfunction!(live_buffers, m)?)?;
    Ok(())
}
