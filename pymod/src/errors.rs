//! Every error that reaches Python is mapped here, in one place.

use codegen::runtime::RaisedError;
use frontend::{render_all, Diagnostic, DiagnosticKind};
use lower::ir::ExceptionKind;
use pyo3::exceptions::{
    PyArithmeticError, PyAssertionError, PyException, PyImportError, PyIndexError, PyKeyError,
    PyMemoryError, PyNotImplementedError, PyOverflowError, PyRecursionError, PyRuntimeError,
    PyTypeError, PyUnboundLocalError, PyValueError, PyZeroDivisionError,
};
use pyo3::prelude::*;
use pyo3::{create_exception, PyErr};

create_exception!(
    ferrojit,
    CompileError,
    PyTypeError,
    "ferrojit could not compile a function (a TypeError, as in Numba)."
);
create_exception!(
    ferrojit,
    TypingError,
    CompileError,
    "An operation has no meaning for the types ferrojit inferred, or a name is unknown."
);
create_exception!(
    ferrojit,
    UnsupportedError,
    CompileError,
    "The function uses Python syntax or objects that ferrojit does not compile."
);
create_exception!(ferrojit, InternalError, CompileError, "A bug in ferrojit.");
create_exception!(
    ferrojit,
    RaceWarning,
    pyo3::exceptions::PyUserWarning,
    "A prange loop probably races: its result may depend on the threads."
);

/// Shows each diagnostic that does not stop a compile as a Python warning at its line.
pub(crate) fn warn(py: Python<'_>, diagnostics: &[Diagnostic]) -> PyResult<()> {
    let warnings = py.import("warnings")?;
    for d in diagnostics {
        let (line, _) = d.source.line_col(d.span.start);
        let mut text = format!("{}: {}", d.code, d.message);
        if !d.label.is_empty() {
            text.push_str(&format!(" ({})", d.label));
        }
        warnings.call_method1(
            "warn_explicit",
            (
                text,
                py.get_type::<RaceWarning>(),
                d.source.path.as_str(),
                line,
            ),
        )?;
    }
    Ok(())
}

const BUG: &str = "this is a bug in ferrojit, please report it";

/// Why compiling a specialization failed.
pub(crate) enum CompileFailure {
    /// User errors (or an internal one) found by a stage, pointing into the source.
    Diagnostics(Vec<Diagnostic>),
    /// `inspect` found no source for the function called `name`.
    NoSource { name: String },
    /// The function's file no longer holds the code Python loaded.
    SourceChanged { name: String, path: String },
    /// The explicit signature does not parse.
    BadSignature { text: String, reason: String },
    /// The explicit signature's return type is not the one inferred.
    ReturnMismatch { declared: String, inferred: String },
    /// A stage failed in a way no user input should cause: a codegen error or a panic.
    Internal(String),
    /// A Python error raised while reading the function's source or globals.
    Python(PyErr),
    /// The code calls LAPACK and SciPy's could not be loaded (`crate::lapack`).
    NoLapack { reason: String },
}

impl From<PyErr> for CompileFailure {
    fn from(err: PyErr) -> Self {
        CompileFailure::Python(err)
    }
}

impl CompileFailure {
    pub(crate) fn into_pyerr(self) -> PyErr {
        match self {
            CompileFailure::Diagnostics(diagnostics) => diagnostics_error(&diagnostics),
            CompileFailure::NoSource { name } => CompileError::new_err(format!(
                "cannot find the source code of `{name}`: ferrojit compiles from source, so define \
                 the function in a file or a notebook cell (functions made by exec() or typed at \
                 the plain interactive prompt have no source)"
            )),
            CompileFailure::SourceChanged { name, path } => CompileError::new_err(format!(
                "the source of `{name}` in {path} has changed since Python loaded it: ferrojit \
                 compiles from source and never compiles other code than the one Python runs; \
                 re-import the module (importlib.reload) or restart Python to use the edited code"
            )),
            CompileFailure::BadSignature { text, reason } => {
                TypingError::new_err(format!("invalid signature {text:?}: {reason}"))
            }
            CompileFailure::ReturnMismatch { declared, inferred } => TypingError::new_err(format!(
                "the signature declares the return type {declared}, but the function returns {inferred}"
            )),
            CompileFailure::Internal(what) => InternalError::new_err(format!("{what}: {BUG}")),
            CompileFailure::Python(err) => err,
            CompileFailure::NoLapack { reason } => PyImportError::new_err(format!(
                "np.linalg's det, inv, solve, cholesky, eigh and lstsq call LAPACK, which \
                 ferrojit takes from SciPy (as Numba does): install SciPy (pip install scipy); \
                 {reason}"
            )),
        }
    }
}

/// One exception for all diagnostics of a failed compile; the first one (in
/// source order) decides the class, and the message shows every one.
fn diagnostics_error(diagnostics: &[Diagnostic]) -> PyErr {
    let Some(first) = diagnostics.first() else {
        return InternalError::new_err(format!("compilation failed without a diagnostic: {BUG}"));
    };
    let message = render_all(diagnostics);
    match first.kind {
        DiagnosticKind::Unsupported => UnsupportedError::new_err(message),
        DiagnosticKind::Typing => TypingError::new_err(message),
        DiagnosticKind::Internal => InternalError::new_err(format!("{message}\n{BUG}")),
    }
}

/// The builtin exception a kernel raised (`raise ValueError(...)`, an IndexError from
/// a bounds check...), as Python raises it, with a traceback entry for each
/// line of compiled code it went through.
pub(crate) fn raised_error(py: Python<'_>, error: RaisedError) -> PyErr {
    let err = builtin_exception(py, error.kind, error.message);
    if error.frames.is_empty() {
        return err;
    }
    let frames: Vec<(String, String, u32)> = error
        .frames
        .into_iter()
        .map(|f| (f.function, f.file, f.line))
        .collect();
    let exc = err.into_value(py);
    let traced = py
        .import("ferrojit._traceback")
        .and_then(|m| m.call_method1("with_frames", (exc.clone_ref(py), frames)));
    // Without its entries the exception is still the right one.
    PyErr::from_value(traced.unwrap_or_else(|_| exc.into_bound(py).into_any()))
}

fn builtin_exception(py: Python<'_>, kind: ExceptionKind, message: String) -> PyErr {
    match kind {
        ExceptionKind::Exception => PyException::new_err(message),
        ExceptionKind::ValueError => PyValueError::new_err(message),
        ExceptionKind::TypeError => PyTypeError::new_err(message),
        ExceptionKind::IndexError => PyIndexError::new_err(message),
        ExceptionKind::KeyError => PyKeyError::new_err(message),
        ExceptionKind::ZeroDivisionError => PyZeroDivisionError::new_err(message),
        ExceptionKind::ArithmeticError => PyArithmeticError::new_err(message),
        ExceptionKind::OverflowError => PyOverflowError::new_err(message),
        ExceptionKind::RuntimeError => PyRuntimeError::new_err(message),
        ExceptionKind::AssertionError => PyAssertionError::new_err(message),
        ExceptionKind::NotImplementedError => PyNotImplementedError::new_err(message),
        ExceptionKind::MemoryError => PyMemoryError::new_err(message),
        ExceptionKind::RecursionError => PyRecursionError::new_err(message),
        ExceptionKind::UnboundLocalError => PyUnboundLocalError::new_err(unbound_message(message)),
        ExceptionKind::LinAlgError => linalg_error(py, message),
    }
}

/// NumPy's own `numpy.linalg.LinAlgError` (a `ValueError`), so `except
/// np.linalg.LinAlgError` catches it as it catches NumPy's.
fn linalg_error(py: Python<'_>, message: String) -> PyErr {
    match py
        .import("numpy.linalg")
        .and_then(|m| m.getattr("LinAlgError"))
    {
        Ok(class) => PyErr::from_value(class.call1((message.clone(),)).unwrap_or_else(|_| {
            PyValueError::new_err(message)
                .into_value(py)
                .into_bound(py)
                .into_any()
        })),
        Err(_) => PyValueError::new_err(message),
    }
}

/// Compiled code words `UnboundLocalError` as CPython 3.11+ does; older versions
/// say it their way, and the message matches the CPython running the kernel.
fn unbound_message(message: String) -> String {
    let old = Python::attach(|py| py.version_info() < (3, 11));
    let name = message
        .strip_prefix("cannot access local variable ")
        .and_then(|rest| rest.strip_suffix(" where it is not associated with a value"));
    match name {
        Some(name) if old => format!("local variable {name} referenced before assignment"),
        _ => message,
    }
}

/// A failure that is ferrojit's fault, found outside the compile pipeline.
pub(crate) fn internal_error(what: &str) -> PyErr {
    InternalError::new_err(format!("{what}: {BUG}"))
}
