//! `ferrojit._native`: the dispatcher, the exception classes, and the glue
//! between Python objects and the compiler pipeline. The only crate that uses pyo3.

mod args;
mod dispatcher;
mod errors;
mod lapack;
mod pipeline;
mod resolve;
mod results;
mod source;

use pyo3::prelude::*;

use dispatcher::Dispatcher;
use errors::{CompileError, InternalError, RaceWarning, TypingError, UnsupportedError};

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

/// Limits the `prange` loops this thread starts to `n` threads (Numba's
/// `set_num_threads`): from 1 to the pool's size.
#[pyfunction]
fn set_num_threads(n: i64) -> PyResult<()> {
    let n = usize::try_from(n).unwrap_or(0);
    codegen::parallel::set_num_threads(n).map_err(pyo3::exceptions::PyValueError::new_err)
}

/// How many threads the `prange` loops this thread starts use.
#[pyfunction]
fn get_num_threads() -> usize {
    codegen::parallel::num_threads()
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
    m.add("RaceWarning", py.get_type::<RaceWarning>())?;
    // As Numba does for NUMBA_NUM_THREADS: a bad value is an error at import.
    codegen::parallel::configured_threads().map_err(pyo3::exceptions::PyValueError::new_err)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_class::<Dispatcher>()?;
    m.add_function(wrap_pyfunction!(live_buffers, m)?)?;
    Ok(())
}
