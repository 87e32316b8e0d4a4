//! `Dispatcher`: what `@jit` returns. Calls find a specialization by argument
//! types (compiling one on a miss) and run its machine code.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::{self, ThreadId};

use codegen::runtime::RuntimeContext;
use codegen::{CompiledModule, EntryFn, Listing};
use frontend::{SourceFile, Span};
use lower::LowerOptions;
use pyo3::exceptions::{PyKeyError, PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use pyo3::{PyTraverseError, PyVisit};
use typeinfer::{bind_arguments, Given, Parameters, Type};

use crate::args::{
    encode_arg, key_of_types, slot_count, types_of_key, EncodeError, KeyBuf, SlotBuf, MAX_KEY_CODES,
};
use crate::errors::{internal_error, raised_error, CompileFailure};
use crate::pipeline::{self, Inspect, ParsedFunction};
use crate::results::box_result;
use crate::source::Source;

/// Machine code of one specialization.
struct JitCode(CompiledModule);

/// The dispatch key of an argument type tuple (`args::key_of_types`).
type TypeKey = Box<[u32]>;

// SAFETY: compiled code is immutable once built and its entry is reentrant:
// every call gets its own argument, result and context buffers.
unsafe impl Send for JitCode {}
unsafe impl Sync for JitCode {}

struct Specialization {
    arg_types: Vec<Type>,
    return_type: Type,
    ret_slots: usize,
    /// Compiled from an explicit signature: also serves calls whose array
    /// arguments are more specific (C-contiguous for `float64[:]`, writable for readonly).
    explicit: bool,
    code: JitCode,
}

/// How the Python function binds arguments, read once from its code object.
struct Params {
    qualname: String,
    /// The positional parameters, then the keyword-only ones.
    names: Vec<String>,
    positional_only: usize,
    keyword_only: usize,
    /// One per parameter: its default value (`__defaults__`, `__kwdefaults__`), if any.
    defaults: Vec<Option<Py<PyAny>>>,
    /// The number of positional arguments a call may pass without any binding
    /// (one per parameter); none when there are keyword-only parameters.
    plain_arity: Option<usize>,
}

#[pyclass(dict, frozen, module = "ferrojit._native")]
pub(crate) struct Dispatcher {
    py_func: Py<PyAny>,
    /// What this function's options change in its own code (also when it is
    /// called from a `@jit` function with other options).
    options: LowerOptions,
    nogil: bool,
    params: Params,
    /// Read when decorated: what every compile parses.
    source: Source,
    /// The parsed HIR, reused by every specialization and by callers that call this function.
    parsed: Mutex<Option<Arc<ParsedFunction>>>,
    /// Looked up by linear scan: a function has few specializations, and comparing
    /// short `u32` slices beats hashing on the call path. Several keys may share a
    /// specialization (see `Specialization::explicit`).
    specializations: RwLock<Vec<(TypeKey, Arc<Specialization>)>>,
    /// Keys being compiled and by which thread: another thread that needs one
    /// waits for it (`compiled` is notified) instead of compiling it again.
    compiling: Mutex<Vec<(TypeKey, ThreadId)>>,
    compiled: Condvar,
    /// How many times the pipeline ran for this function (`compile_count`).
    compiles: AtomicUsize,
}

#[pymethods]
impl Dispatcher {
    #[new]
    #[pyo3(signature = (
        py_func, *, boundscheck = true, wraparound = true, parallel = false, fastmath = false,
        cache = false, nogil = false, error_model = "python", nopython = true, inline = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py_func: &Bound<'_, PyAny>,
        boundscheck: bool,
        wraparound: bool,
        parallel: bool,
        fastmath: bool,
        cache: bool,
        nogil: bool,
        error_model: &str,
        nopython: bool,
        inline: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        // `prange` does not depend on `parallel=` (its loops run sequentially in
        // this version), on-disk caching is not implemented yet, and there is no
        // object mode to fall back to: these options are accepted for Numba
        // compatibility and change nothing.
        let _ = (parallel, cache, nopython, inline);
        let numpy_error_model = match error_model {
            "python" => false,
            "numpy" => true,
            other => {
                return Err(PyValueError::new_err(format!(
                    "error_model must be \"python\" or \"numpy\", not {other:?}"
                )))
            }
        };
        let params = read_params(py_func)?;
        let source = Source::capture(py_func)?;
        Ok(Dispatcher {
            py_func: py_func.clone().unbind(),
            options: LowerOptions {
                boundscheck,
                wraparound,
                numpy_error_model,
                fastmath,
            },
            nogil,
            params,
            source,
            parsed: Mutex::new(None),
            specializations: RwLock::new(Vec::new()),
            compiling: Mutex::new(Vec::new()),
            compiled: Condvar::new(),
            compiles: AtomicUsize::new(0),
        })
    }

    /// Reports the Python objects a dispatcher holds to the garbage collector, so
    /// that the cycle every module-level `@jit` function is on (module globals ->
    /// dispatcher -> function -> module globals) is collected with its machine
    /// code when the module goes away (a notebook cell run again, a module
    /// reloaded). The function's own clearing breaks the cycle. A lock held by a
    /// compile in progress hides those callees for this collection only: a missed
    /// reference keeps objects alive, it never frees a live one.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.py_func)?;
        for default in self.params.defaults.iter().flatten() {
            visit.call(default)?;
        }
        if let Ok(parsed) = self.parsed.try_lock() {
            for object in parsed.iter().flat_map(|p| p.held()) {
                visit.call(object)?;
            }
        }
        Ok(())
    }

    /// The original Python function.
    #[getter(py_func)]
    fn get_py_func(&self, py: Python<'_>) -> Py<PyAny> {
        self.py_func.clone_ref(py)
    }

    /// How many times this function was compiled (successfully or not), for
    /// every signature: a call that finds its signature compiled, or being
    /// compiled by another thread, does not compile it again.
    #[getter]
    fn compile_count(&self) -> usize {
        self.compiles.load(Ordering::Relaxed)
    }

    /// How many checked copies of loops have been compiled, over every
    /// compiled signature. A loop whose indices are checked once before it
    /// runs a copy without bounds checks; its checked copy, which runs only
    /// when an index may be out of range, is compiled when a call first runs it.
    #[getter]
    fn checked_copies_compiled(&self) -> PyResult<usize> {
        Ok(self
            .compiled()?
            .iter()
            .map(|spec| spec.code.0.checked_copies_compiled())
            .sum())
    }

    /// One tuple of argument type names per compiled specialization.
    #[getter]
    fn signatures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for spec in self.compiled()? {
            list.append(signature_key(py, &spec.arg_types)?)?;
        }
        Ok(list)
    }

    /// The optimized LLVM IR of each compiled signature, in a dict keyed as
    /// `signatures` lists them; with a `signature`, that one's text.
    #[pyo3(signature = (signature = None))]
    fn inspect_llvm(
        slf: &Bound<'_, Self>,
        signature: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        Dispatcher::inspect(slf, signature, Inspect::Code(Listing::LlvmIr))
    }

    /// The host assembly of each compiled signature, as `inspect_llvm`.
    #[pyo3(signature = (signature = None))]
    fn inspect_asm(
        slf: &Bound<'_, Self>,
        signature: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        Dispatcher::inspect(slf, signature, Inspect::Code(Listing::Assembly))
    }

    /// The source of each compiled signature with the types of its arguments,
    /// locals and result, as `inspect_llvm` (Numba's prints it instead).
    #[pyo3(signature = (signature = None))]
    fn inspect_types(
        slf: &Bound<'_, Self>,
        signature: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        Dispatcher::inspect(slf, signature, Inspect::Types)
    }

    /// Compiles the specialization for a Numba-style signature now,
    /// `"float64(float64[:], int64)"` or `"(float64[:], int64)"`.
    fn compile(slf: &Bound<'_, Self>, signature: &str) -> PyResult<()> {
        let this = slf.get();
        let bad = |reason: String| {
            CompileFailure::BadSignature {
                text: signature.to_string(),
                reason,
            }
            .into_pyerr()
        };
        let (declared, arg_types) = typeinfer::parse_signature(signature).map_err(bad)?;
        if arg_types.len() != this.params.names.len() {
            return Err(bad(format!(
                "it gives {} argument type(s), but `{}` takes {}",
                arg_types.len(),
                this.params.qualname,
                this.params.names.len()
            )));
        }
        let key = key_of_types(&arg_types).ok_or_else(|| {
            bad("arguments must be numbers, arrays or tuples of them".to_string())
        })?;
        this.compile_once(slf, &key, || {
            let spec = Dispatcher::specialize(slf, arg_types, true)?;
            match declared {
                Some(declared) if declared != spec.return_type => {
                    Err(CompileFailure::ReturnMismatch {
                        declared: declared.to_string(),
                        inferred: spec.return_type.to_string(),
                    }
                    .into_pyerr())
                }
                _ => Ok(spec),
            }
        })?;
        Ok(())
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let this = slf.get();
        if kwargs.is_none_or(|k| k.is_empty()) && Some(args.len()) == this.params.plain_arity {
            return Dispatcher::call_positional(slf, args);
        }
        let bound = this.bind_arguments(args, kwargs)?;
        Dispatcher::call_positional(slf, &bound)
    }

    fn __repr__(&self) -> String {
        format!("<ferrojit.Dispatcher of {}>", self.params.qualname)
    }
}

impl Dispatcher {
    pub(crate) fn py_func(&self) -> &Py<PyAny> {
        &self.py_func
    }

    pub(crate) fn options(&self) -> LowerOptions {
        self.options
    }

    /// The text to parse (and the lambda's place in it), captured when decorated.
    pub(crate) fn source(&self) -> Result<(Arc<SourceFile>, Option<Span>), CompileFailure> {
        self.source.found(&self.params.qualname)
    }

    /// The HIR of this function, parsed on first use.
    pub(crate) fn parsed(slf: &Bound<'_, Self>) -> Result<Arc<ParsedFunction>, CompileFailure> {
        let this = slf.get();
        if let Some(parsed) = this.parsed.lock().ok().and_then(|p| p.clone()) {
            return Ok(parsed);
        }
        // Parse without holding the lock: parsing runs Python code, which may
        // release the GIL and let another thread ask for the same function.
        let parsed = Arc::new(pipeline::parse(slf)?);
        if let Ok(mut slot) = this.parsed.lock() {
            Ok(slot.get_or_insert(parsed).clone())
        } else {
            Ok(parsed)
        }
    }

    /// Each compiled specialization once, in the order they were compiled
    /// (several keys may share one).
    fn compiled(&self) -> PyResult<Vec<Arc<Specialization>>> {
        let specs = self
            .specializations
            .read()
            .map_err(|_| internal_error("lock poisoned"))?;
        let mut unique: Vec<Arc<Specialization>> = Vec::new();
        for (_, spec) in specs.iter() {
            if !unique.iter().any(|s| Arc::ptr_eq(s, spec)) {
                unique.push(spec.clone());
            }
        }
        Ok(unique)
    }

    /// `what` for every compiled signature (a dict keyed as `signatures`), or
    /// for `signature` only: a key of that dict, or a signature string
    /// (`"(float64[:], int64)"`).
    fn inspect(
        slf: &Bound<'_, Self>,
        signature: Option<&Bound<'_, PyAny>>,
        what: Inspect,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let compiled = this.compiled()?;
        let text = |arg_types: &[Type]| {
            pipeline::inspect(slf, arg_types, what).map_err(CompileFailure::into_pyerr)
        };
        let Some(wanted) = signature else {
            let dict = PyDict::new(py);
            for spec in &compiled {
                dict.set_item(signature_key(py, &spec.arg_types)?, text(&spec.arg_types)?)?;
            }
            return Ok(dict.into_any().unbind());
        };
        let parsed = match wanted.extract::<String>() {
            Ok(text) => Some(
                typeinfer::parse_signature(&text)
                    .map_err(|reason| CompileFailure::BadSignature { text, reason }.into_pyerr())?
                    .1,
            ),
            Err(_) => None,
        };
        for spec in &compiled {
            let found = match &parsed {
                Some(arg_types) => *arg_types == spec.arg_types,
                None => signature_key(py, &spec.arg_types)?.eq(wanted)?,
            };
            if found {
                return Ok(PyString::new(py, &text(&spec.arg_types)?)
                    .into_any()
                    .unbind());
            }
        }
        let known = compiled
            .iter()
            .map(|spec| Ok(signature_key(py, &spec.arg_types)?.repr()?.to_string()))
            .collect::<PyResult<Vec<_>>>()?;
        Err(PyKeyError::new_err(format!(
            "`{}` has not been compiled for the signature {}; compiled signatures: {}",
            this.params.qualname,
            wanted.repr()?,
            if known.is_empty() {
                "none yet".to_string()
            } else {
                known.join(", ")
            }
        )))
    }

    /// Encodes `args` (one per parameter), finds or compiles the specialization, calls it.
    fn call_positional(slf: &Bound<'_, Self>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let mut key = KeyBuf::new();
        let mut slots = SlotBuf::new();
        for (i, arg) in args.iter_borrowed().enumerate() {
            // SAFETY: `arg` is a live object borrowed from `args`, and the GIL is held.
            if let Err(err) = unsafe { encode_arg(py, arg.as_ptr(), &mut key, &mut slots) } {
                return Err(this.argument_error(py, i, err));
            }
        }
        let spec = match this.lookup(key.as_slice()) {
            Some(spec) => spec,
            None => this.compile_once(slf, key.as_slice(), || {
                this.specialization_for(slf, key.as_slice())
            })?,
        };
        // `args` holds the argument objects the slots borrow until the result is boxed.
        this.invoke(py, &spec, slots.as_slice())
    }

    fn lookup(&self, key: &[u32]) -> Option<Arc<Specialization>> {
        let specs = self.specializations.read().ok()?;
        specs
            .iter()
            .find(|(k, _)| **k == *key)
            .map(|(_, s)| s.clone())
    }

    fn insert(&self, key: TypeKey, spec: Arc<Specialization>) -> PyResult<()> {
        let mut specs = self
            .specializations
            .write()
            .map_err(|_| internal_error("lock poisoned"))?;
        // Another thread may have compiled the same key while this one did.
        if !specs.iter().any(|(k, _)| *k == key) {
            specs.push((key, spec));
        }
        Ok(())
    }

    /// The specialization for `key`, made by `make` unless one exists or
    /// another thread makes it meanwhile (then this one waits for it, without
    /// the GIL, which the other thread's compile needs). Made at most once
    /// across threads; reentrant on the thread that is making it.
    fn compile_once(
        &self,
        slf: &Bound<'_, Self>,
        key: &[u32],
        make: impl FnOnce() -> PyResult<Arc<Specialization>>,
    ) -> PyResult<Arc<Specialization>> {
        let me = thread::current().id();
        loop {
            if let Some(spec) = self.lookup(key) {
                return Ok(spec);
            }
            let mut compiling = self
                .compiling
                .lock()
                .map_err(|_| internal_error("lock poisoned"))?;
            match compiling.iter().find(|(k, _)| **k == *key) {
                Some(&(_, owner)) if owner != me => {
                    drop(compiling);
                    slf.py().detach(|| self.wait_until_compiled(key));
                }
                // This thread's own compile asked for it again.
                Some(_) => {
                    drop(compiling);
                    return make();
                }
                None => {
                    compiling.push((key.into(), me));
                    drop(compiling);
                    let _claim = Claim {
                        dispatcher: self,
                        key,
                    };
                    let spec = make()?;
                    self.insert(key.into(), spec.clone())?;
                    return Ok(spec);
                }
            }
        }
    }

    fn wait_until_compiled(&self, key: &[u32]) {
        let Ok(mut compiling) = self.compiling.lock() else {
            return;
        };
        while compiling.iter().any(|(k, _)| **k == *key) {
            compiling = match self.compiled.wait(compiling) {
                Ok(guard) => guard,
                Err(_) => return,
            };
        }
    }

    /// A cache miss: reuse an explicit signature that accepts these types, else compile.
    fn specialization_for(
        &self,
        slf: &Bound<'_, Self>,
        key: &[u32],
    ) -> PyResult<Arc<Specialization>> {
        let arg_types = types_of_key(key);
        let compatible = self.specializations.read().ok().and_then(|specs| {
            specs
                .iter()
                .find(|(_, s)| {
                    s.explicit
                        && s.arg_types
                            .iter()
                            .zip(&arg_types)
                            .all(|(p, a)| accepts(p, a))
                })
                .map(|(_, s)| s.clone())
        });
        match compatible {
            Some(spec) => Ok(spec),
            None => Dispatcher::specialize(slf, arg_types, false),
        }
    }

    fn specialize(
        slf: &Bound<'_, Self>,
        arg_types: Vec<Type>,
        explicit: bool,
    ) -> PyResult<Arc<Specialization>> {
        let this = slf.get();
        this.compiles.fetch_add(1, Ordering::Relaxed);
        let (return_type, module, warnings) =
            pipeline::compile(slf, &arg_types).map_err(CompileFailure::into_pyerr)?;
        crate::errors::warn(slf.py(), &warnings)?;
        if let Type::Opaque(_) = return_type {
            return Err(internal_error(&format!(
                "`{}` returns a value of type {return_type}",
                this.params.qualname
            )));
        }
        Ok(Arc::new(Specialization {
            ret_slots: slot_count(&return_type),
            arg_types,
            return_type,
            explicit,
            code: JitCode(module),
        }))
    }

    fn invoke(&self, py: Python<'_>, spec: &Specialization, slots: &[u64]) -> PyResult<Py<PyAny>> {
        let mut inline_ret = [0u64; 16];
        let mut heap_ret = Vec::new();
        let ret: &mut [u64] = if spec.ret_slots <= inline_ret.len() {
            &mut inline_ret
        } else {
            heap_ret.resize(spec.ret_slots, 0);
            &mut heap_ret
        };
        let mut ctx = RuntimeContext::default();
        let call = RawCall {
            entry: spec.code.0.entry,
            args: slots.as_ptr(),
            ret: ret.as_mut_ptr(),
            ctx: &mut ctx,
        };
        // A `prange` loop runs on other threads while this one waits: other
        // Python threads may run meanwhile.
        let status = if self.nogil || spec.code.0.parallel {
            py.detach(move || call.run())
        } else {
            call.run()
        };
        if status != 0 {
            return Err(match ctx.take_error() {
                Some(err) => raised_error(py, err),
                None => internal_error("compiled code failed without recording an exception"),
            });
        }
        box_result(py, &spec.return_type, ret)
    }

    fn argument_error(&self, py: Python<'_>, index: usize, err: EncodeError) -> PyErr {
        let name = self.params.names.get(index).map_or("?", String::as_str);
        let position = index + 1;
        match err {
            EncodeError::Unsupported(ty) => PyTypeError::new_err(format!(
                "argument `{name}` (position {position}) has unsupported type {ty}: ferrojit compiles \
                 numbers, NumPy arrays and tuples of them"
            )),
            EncodeError::Python(err) if err.is_instance_of::<PyOverflowError>(py) => {
                PyOverflowError::new_err(format!("argument `{name}` (position {position}) does not fit in int64"))
            }
            EncodeError::Python(err) => err,
            EncodeError::TooLarge => PyTypeError::new_err(format!(
                "argument `{name}` (position {position}) is too large: ferrojit compiles arguments with \
                 at most {MAX_KEY_CODES} numbers, arrays and tuples in all, nested tuples included"
            )),
        }
    }

    /// Binds positional and keyword arguments to parameters as CPython does,
    /// with CPython's error messages; returns one value per parameter.
    /// (`typeinfer`'s `bind` does the same for calls between `@jit` functions.)
    fn bind_arguments<'py>(
        &self,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let py = args.py();
        let p = &self.params;
        let names: Vec<&str> = p.names.iter().map(String::as_str).collect();
        let has_default: Vec<bool> = p.defaults.iter().map(Option::is_some).collect();
        let (keys, values): (Vec<String>, Vec<Bound<'py, PyAny>>) = match kwargs {
            Some(kwargs) => kwargs
                .iter()
                .map(|(k, v)| Ok((k.extract::<String>()?, v)))
                .collect::<PyResult<Vec<_>>>()?
                .into_iter()
                .unzip(),
            None => (Vec::new(), Vec::new()),
        };
        let keywords: Vec<&str> = keys.iter().map(String::as_str).collect();
        let params = Parameters {
            name: &p.qualname,
            names: &names,
            positional_only: p.positional_only,
            keyword_only: p.keyword_only,
            has_default: &has_default,
        };
        let given = bind_arguments(&params, args.len(), &keywords).map_err(PyTypeError::new_err)?;
        let bound = given
            .into_iter()
            .zip(&p.defaults)
            .map(|(g, default)| match (g, default) {
                (Given::Positional(i), _) => args.get_item(i),
                (Given::Keyword(k), _) => Ok(values[k].clone()),
                (Given::Default, Some(d)) => Ok(d.bind(py).clone()),
                (Given::Default, None) => Err(internal_error("a default bound where none exists")),
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, bound)
    }
}

/// How `signatures` and the `inspect_*` dicts name a specialization: a tuple
/// of its argument types' names.
fn signature_key<'py>(py: Python<'py>, arg_types: &[Type]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(
        py,
        arg_types.iter().map(|t| PyString::new(py, &t.to_string())),
    )
}

/// A key this thread is compiling; released (and waiting threads woken) when
/// the compile ends, however it ends.
struct Claim<'a> {
    dispatcher: &'a Dispatcher,
    key: &'a [u32],
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if let Ok(mut compiling) = self.dispatcher.compiling.lock() {
            compiling.retain(|(k, _)| **k != *self.key);
        }
        self.dispatcher.compiled.notify_all();
    }
}

/// Whether a specialization compiled for parameter type `p` can run with an argument of type `a`:
/// the same type, or an array that is at least as specific (contiguous for `Any`, writable for readonly).
fn accepts(p: &Type, a: &Type) -> bool {
    match (p, a) {
        (Type::Array(p), Type::Array(a)) => {
            p.dtype == a.dtype
                && p.ndim == a.ndim
                && (p.layout == a.layout || p.layout == typeinfer::Layout::Any)
                && (a.writable || !p.writable)
        }
        (Type::Tuple(ps), Type::Tuple(as_)) => {
            ps.len() == as_.len() && ps.iter().zip(as_).all(|(p, a)| accepts(p, a))
        }
        _ => p == a,
    }
}

/// The entry call, movable into `py.detach` when `nogil=True`.
struct RawCall {
    entry: EntryFn,
    args: *const u64,
    ret: *mut u64,
    ctx: *mut RuntimeContext,
}

// SAFETY: the pointers refer to buffers owned by the calling frame, which waits
// for the call to finish; compiled code touches no Python object.
unsafe impl Send for RawCall {}

impl RawCall {
    fn run(self) -> i32 {
        // SAFETY: `args` holds the slots of the specialization's argument types, `ret`
        // has room for its result slots, as the ABI of `lower::ir::Module` requires.
        unsafe { (self.entry)(self.args, self.ret, self.ctx) }
    }
}

fn read_params(py_func: &Bound<'_, PyAny>) -> PyResult<Params> {
    let code = py_func.getattr("__code__").map_err(|_| {
        let ty = py_func
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        PyTypeError::new_err(format!(
            "@jit decorates Python functions, not objects of type {ty}"
        ))
    })?;
    let positional: usize = code.getattr("co_argcount")?.extract()?;
    let keyword_only: usize = code.getattr("co_kwonlyargcount")?.extract()?;
    let varnames = code.getattr("co_varnames")?.cast_into::<PyTuple>()?;
    let names = varnames
        .iter()
        .take(positional + keyword_only)
        .map(|n| n.extract())
        .collect::<PyResult<Vec<String>>>()?;
    let mut defaults: Vec<Option<Py<PyAny>>> = names.iter().map(|_| None).collect();
    if let Ok(given) = py_func.getattr("__defaults__")?.cast_into::<PyTuple>() {
        let first = positional.saturating_sub(given.len());
        for (slot, d) in defaults[first..positional].iter_mut().zip(given.iter()) {
            *slot = Some(d.unbind());
        }
    }
    if let Ok(given) = py_func.getattr("__kwdefaults__")?.cast_into::<PyDict>() {
        for (slot, name) in defaults.iter_mut().zip(&names).skip(positional) {
            *slot = given.get_item(name)?.map(Bound::unbind);
        }
    }
    Ok(Params {
        qualname: py_func.getattr("__qualname__")?.extract()?,
        plain_arity: (keyword_only == 0).then_some(names.len()),
        names,
        positional_only: code.getattr("co_posonlyargcount")?.extract()?,
        keyword_only,
        defaults,
    })
}
