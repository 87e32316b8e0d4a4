//! `frontend::Resolver` over a Python function's closure, globals and builtins.
//! Objects are recognised by identity (`obj is math.sqrt`), never by spelling.

use frontend::hir::{
    AllocFn, Constant, Dtype, ExceptionKind, FuncId, GlobalValue, KnownFunction, KnownModule,
    MathFn,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyComplex, PyDict, PyFloat, PyFunction, PyInt, PyModule, PyString, PyTuple,
};

use crate::args::{numpy_scalar_dtype, numpy_scalar_name};
use crate::dispatcher::Dispatcher;

/// The Python objects ferrojit knows, looked up once per process.
struct KnownObjects {
    math: Py<PyModule>,
    numpy: Py<PyModule>,
    functions: Vec<(Py<PyAny>, KnownFunction)>,
}

static KNOWN: PyOnceLock<KnownObjects> = PyOnceLock::new();

/// NumPy functions that mean the same as a `math` function for scalars. `np.floor`,
/// `np.ceil` and `np.power` are left out on purpose: they return floats (or keep
/// ints) where `math.floor`/`math.ceil`/`math.pow` do not, so mapping them to
/// `MathFn` would change results.
const NUMPY_MATH: [(&str, MathFn); 14] = [
    ("sqrt", MathFn::Sqrt),
    ("exp", MathFn::Exp),
    ("log", MathFn::Log),
    ("log1p", MathFn::Log1p),
    ("expm1", MathFn::Expm1),
    ("sin", MathFn::Sin),
    ("cos", MathFn::Cos),
    ("tan", MathFn::Tan),
    ("tanh", MathFn::Tanh),
    ("arctan2", MathFn::Atan2),
    ("atan2", MathFn::Atan2),
    ("fabs", MathFn::Fabs),
    ("isnan", MathFn::IsNan),
    ("isinf", MathFn::IsInf),
];

/// `np.abs` keeps ints as ints, like the builtin `abs` and unlike `math.fabs`.
const NUMPY_ABS: [&str; 2] = ["abs", "absolute"];

fn known(py: Python<'_>) -> PyResult<&'static KnownObjects> {
    KNOWN.get_or_try_init(py, || {
        let builtins = py.import("builtins")?;
        let math = py.import("math")?;
        let numpy = py.import("numpy")?;
        let mut functions: Vec<(Py<PyAny>, KnownFunction)> = Vec::new();
        let builtin_functions = [
            ("range", KnownFunction::Range),
            ("len", KnownFunction::Len),
            ("abs", KnownFunction::Abs),
            ("min", KnownFunction::Min),
            ("max", KnownFunction::Max),
            ("int", KnownFunction::Int),
            ("float", KnownFunction::Float),
            ("bool", KnownFunction::Bool),
            ("complex", KnownFunction::Complex),
            ("round", KnownFunction::Round),
        ];
        for (name, f) in builtin_functions {
            functions.push((builtins.getattr(name)?.unbind(), f));
        }
        for kind in ExceptionKind::ALL {
            functions.push((
                builtins.getattr(kind.name())?.unbind(),
                KnownFunction::Exception(kind),
            ));
        }
        for m in MathFn::ALL {
            functions.push((math.getattr(m.name())?.unbind(), KnownFunction::Math(m)));
        }
        for (name, m) in NUMPY_MATH {
            // Some aliases (`np.atan2`) only exist in NumPy 2.
            if let Ok(f) = numpy.getattr(name) {
                functions.push((f.unbind(), KnownFunction::Math(m)));
            }
        }
        for name in NUMPY_ABS {
            functions.push((numpy.getattr(name)?.unbind(), KnownFunction::Abs));
        }
        for d in Dtype::ALL {
            functions.push((
                numpy.getattr(numpy_scalar_name(d))?.unbind(),
                KnownFunction::Scalar(d),
            ));
        }
        for a in AllocFn::ALL {
            functions.push((numpy.getattr(a.name())?.unbind(), KnownFunction::Alloc(a)));
        }
        // Absent only when `_native` is imported without its package.
        if let Ok(prange) = py.import("ferrojit").and_then(|m| m.getattr("prange")) {
            functions.push((prange.unbind(), KnownFunction::Prange));
        }
        Ok(KnownObjects {
            math: math.unbind(),
            numpy: numpy.unbind(),
            functions,
        })
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
        if obj.is(known.math.bind(obj.py())) {
            return Ok(GlobalValue::Module(KnownModule::Math));
        }
        if obj.is(known.numpy.bind(obj.py())) {
            return Ok(GlobalValue::Module(KnownModule::Numpy));
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
    if obj.is_instance_of::<PyFunction>() {
        let fname: String = obj.getattr("__name__")?.extract()?;
        return Ok(format!("function `{fname}` (not decorated with @jit)"));
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
