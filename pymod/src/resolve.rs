//! `frontend::Resolver` over a Python function's closure, globals and builtins.
//! Objects are recognised by identity (`obj is math.sqrt`), never by spelling.

use frontend::hir::{Constant, Dtype, FuncId, GlobalValue, KnownFunction, KnownModule};
use frontend::known::ModuleMember;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyCFunction, PyComplex, PyDict, PyFloat, PyFunction, PyInt, PyModule, PyString, PyTuple,
};

use crate::args::numpy_scalar_dtype;
use crate::dispatcher::Dispatcher;

/// The Python objects behind the names in `frontend::known`, looked up once per process.
struct KnownObjects {
    modules: Vec<(Py<PyModule>, KnownModule)>,
    functions: Vec<(Py<PyAny>, KnownFunction)>,
}

static KNOWN: PyOnceLock<KnownObjects> = PyOnceLock::new();

fn known(py: Python<'_>) -> PyResult<&'static KnownObjects> {
    KNOWN.get_or_try_init(py, || {
        let builtins = py.import("builtins")?;
        let mut functions: Vec<(Py<PyAny>, KnownFunction)> = Vec::new();
        for (name, f) in frontend::known::builtins() {
            functions.push((builtins.getattr(name)?.unbind(), f));
        }
        let mut modules = Vec::new();
        for module in KnownModule::ALL {
            let object = py.import(module.name())?;
            for (name, member) in frontend::known::module_members(module) {
                let ModuleMember::Function(f) = member else {
                    continue;
                };
                // Some names exist only in some NumPy versions (`np.atan2`, `np.float_`).
                if let Ok(function) = object.getattr(name) {
                    functions.push((function.unbind(), f));
                }
            }
            modules.push((object.unbind(), module));
        }
        // Absent only when `_native` is imported without its package.
        if let Ok(prange) = py.import("ferrojit").and_then(|m| m.getattr("prange")) {
            functions.push((prange.unbind(), KnownFunction::Prange));
        }
        Ok(KnownObjects { modules, functions })
    })
}

/// Resolves the names of one function; collects the other `@jit` functions it
/// refers to, numbered in order of first use from `FuncId(1)` (`FuncId(0)` is itself).
pub(crate) struct PyResolver<'py> {
    this: Bound<'py, Dispatcher>,
    globals: Bound<'py, PyDict>,
    /// `(name, cell)` for each free variable of the function.
    closure: Vec<(String, Bound<'py, PyAny>)>,
    builtins: Bound<'py, PyModule>,
    known: &'static KnownObjects,
    pub(crate) callees: Vec<Py<Dispatcher>>,
}

impl<'py> PyResolver<'py> {
    pub(crate) fn new(
        this: &Bound<'py, Dispatcher>,
        py_func: &Bound<'py, PyAny>,
    ) -> PyResult<Self> {
        let py = py_func.py();
        let globals = py_func.getattr("__globals__")?.cast_into::<PyDict>()?;
        let freevars = py_func
            .getattr("__code__")?
            .getattr("co_freevars")?
            .cast_into::<PyTuple>()?;
        let cells = py_func.getattr("__closure__")?;
        let mut closure = Vec::new();
        if let Ok(cells) = cells.cast_into::<PyTuple>() {
            for (name, cell) in freevars.iter().zip(cells.iter()) {
                closure.push((name.extract::<String>()?, cell));
            }
        }
        Ok(PyResolver {
            this: this.clone(),
            globals,
            closure,
            builtins: py.import("builtins")?,
            known: known(py)?,
            callees: Vec::new(),
        })
    }

    fn lookup(&self, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        // A free variable shadows a global of the same name, as in Python.
        if let Some((_, cell)) = self.closure.iter().find(|(n, _)| n == name) {
            return match cell.getattr("cell_contents") {
                Ok(value) => Ok(Some(value)),
                // An empty cell: the enclosing function has not assigned it yet.
                Err(_) => Ok(None),
            };
        }
        if let Some(value) = self.globals.get_item(name)? {
            return Ok(Some(value));
        }
        match self.builtins.getattr(name) {
            Ok(value) => Ok(Some(value)),
            Err(_) => Ok(None),
        }
    }

    fn classify(&mut self, name: &str, obj: &Bound<'py, PyAny>) -> PyResult<GlobalValue> {
        let known = self.known;
        if let Some((_, module)) = known.modules.iter().find(|(m, _)| obj.is(m.bind(obj.py()))) {
            return Ok(GlobalValue::Module(*module));
        }
        if let Some((_, f)) = known
            .functions
            .iter()
            .find(|(o, _)| obj.is(o.bind(obj.py())))
        {
            return Ok(GlobalValue::Function(*f));
        }
        if let Ok(dispatcher) = obj.cast::<Dispatcher>() {
            return Ok(GlobalValue::Jit(self.func_id(dispatcher)));
        }
        if let Some(constant) = constant_of(obj)? {
            return Ok(GlobalValue::Constant(constant));
        }
        if obj.is_instance_of::<PyFunction>() {
            return Ok(GlobalValue::PythonFunction {
                name: obj.getattr("__name__")?.extract()?,
            });
        }
        Ok(GlobalValue::Unsupported(describe(name, obj)?))
    }

    fn func_id(&mut self, dispatcher: &Bound<'py, Dispatcher>) -> FuncId {
        if dispatcher.is(&self.this) {
            return FuncId(0);
        }
        let index = match self
            .callees
            .iter()
            .position(|c| dispatcher.is(c.bind(dispatcher.py())))
        {
            Some(i) => i,
            None => {
                self.callees.push(dispatcher.clone().unbind());
                self.callees.len() - 1
            }
        };
        FuncId(index as u32 + 1)
    }
}

impl frontend::Resolver for PyResolver<'_> {
    fn resolve(&mut self, name: &str) -> Option<GlobalValue> {
        let result = self.lookup(name).and_then(|found| match found {
            Some(obj) => self.classify(name, &obj).map(Some),
            None => Ok(None),
        });
        // A Python error while looking (a module `__getattr__` raising...) makes the
        // name unusable rather than aborting the compile without a source location.
        result.unwrap_or_else(|err| {
            Some(GlobalValue::Unsupported(format!(
                "`{name}` (reading it raised {err})"
            )))
        })
    }
}

/// A number, bool, string, None, or a tuple of those, read at compile time.
fn constant_of(obj: &Bound<'_, PyAny>) -> PyResult<Option<Constant>> {
    if obj.is_none() {
        return Ok(Some(Constant::None));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Some(Constant::Bool(b.is_true())));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(obj.extract::<i64>().ok().map(Constant::Int));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Some(Constant::Float(f.value())));
    }
    if let Ok(c) = obj.cast::<PyComplex>() {
        return Ok(Some(Constant::Complex {
            re: c.real(),
            im: c.imag(),
        }));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Some(Constant::Str(s.to_cow()?.into_owned())));
    }
    if let Some(d) = numpy_scalar_dtype(obj.get_type().as_type_ptr()) {
        return Ok(numpy_constant(obj, d));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        let mut items = Vec::with_capacity(t.len());
        for item in t.iter() {
            match constant_of(&item)? {
                Some(c) => items.push(c),
                None => return Ok(None),
            }
        }
        return Ok(Some(Constant::Tuple(items)));
    }
    Ok(None)
}

fn numpy_constant(obj: &Bound<'_, PyAny>, d: Dtype) -> Option<Constant> {
    if d == Dtype::Bool {
        obj.is_truthy().ok().map(Constant::Bool)
    } else if d.is_int() {
        obj.call_method0("__int__")
            .ok()?
            .extract::<i64>()
            .ok()
            .map(Constant::Int)
    } else if d.is_float() {
        obj.call_method0("__float__")
            .ok()?
            .extract::<f64>()
            .ok()
            .map(Constant::Float)
    } else {
        let c = obj.call_method0("__complex__").ok()?;
        let c = c.cast::<PyComplex>().ok()?;
        Some(Constant::Complex {
            re: c.real(),
            im: c.imag(),
        })
    }
}

/// What an object ferrojit cannot use is, for the error message.
fn describe(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if obj.is_instance_of::<PyInt>() {
        return Ok(format!("integer `{name}` (too large for int64)"));
    }
    if obj.is_instance_of::<PyCFunction>() {
        let fname: String = obj.getattr("__name__")?.extract()?;
        return Ok(format!("builtin function `{fname}`"));
    }
    if let Ok(module) = obj.cast::<PyModule>() {
        return Ok(format!("module `{}`", module.name()?));
    }
    if obj.is_instance_of::<PyTuple>() {
        return Ok(format!(
            "tuple `{name}` (only tuples of numbers are constants)"
        ));
    }
    Ok(format!("object of type {}", obj.get_type().name()?))
}
