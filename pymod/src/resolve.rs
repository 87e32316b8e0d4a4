//! `frontend::Resolver` over a Python function's closure, globals and builtins.
//! Objects are recognised by identity (`obj is math.sqrt`), never by spelling.

use std::collections::HashMap;

use frontend::hir::{
    Constant, Dtype, FrozenArray, FuncId, GlobalValue, KnownFunction, KnownModule,
};
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

/// What every name a function may refer to means, looked up with Python
/// before the frontend runs: the frontend then runs without calling Python, on
/// a stack of its own (deeply nested code recurses deeply, and CPython must not
/// see its stack pointer outside the thread's stack).
///
/// The names are `co_names` and `co_freevars` of the function's code and the
/// code nested in it: every global, builtin, closure variable and attribute
/// name CPython compiled, so a superset of what the frontend asks for (the
/// source was checked to compile to this code). The other `@jit` functions are
/// numbered in order of first use by the frontend, from `FuncId(1)`
/// (`FuncId(0)` is the function itself).
pub(crate) struct NameTable {
    names: HashMap<String, Meaning>,
    /// The `@jit` functions among the names.
    dispatchers: Vec<Py<Dispatcher>>,
    /// Indices into `dispatchers`, in order of first use; `FuncId(k + 1)` is `used[k]`.
    used: Vec<usize>,
    /// The read-only copies behind the `GlobalValue::Array`s among the names:
    /// compiled code reads their memory, so they live as long as the parse.
    frozen: Vec<Py<PyAny>>,
}

enum Meaning {
    Value(GlobalValue),
    /// `dispatchers[index]`.
    Jit(usize),
    This,
}

impl NameTable {
    pub(crate) fn new(this: &Bound<'_, Dispatcher>, py_func: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = py_func.py();
        let code = py_func.getattr("__code__")?;
        let mut wanted = Vec::new();
        names_of_code(&code, &mut wanted)?;
        let lookup = Lookup::new(py_func)?;
        let mut table = NameTable {
            names: HashMap::new(),
            dispatchers: Vec::new(),
            used: Vec::new(),
            frozen: Vec::new(),
        };
        let mut modules = Vec::new();
        for name in wanted.clone() {
            if table.names.contains_key(&name) {
                continue;
            }
            let Some(found) = lookup.find(&name) else {
                continue;
            };
            // A Python error while looking (a module `__getattr__` raising...) makes the
            // name unusable rather than aborting the compile without a source location.
            let (meaning, obj) =
                match found.and_then(|obj| Ok((table.classify(this, &name, &obj, py)?, obj))) {
                    Ok(found) => found,
                    Err(err) => {
                        let text = format!("`{name}` (reading it raised {err})");
                        table
                            .names
                            .insert(name, Meaning::Value(GlobalValue::Unsupported(text)));
                        continue;
                    }
                };
            table.names.insert(name.clone(), meaning);
            if let Ok(module) = obj.cast::<PyModule>() {
                modules.push((name, module.clone()));
            }
        }
        table.add_module_attributes(this, modules, &wanted)?;
        Ok(table)
    }

    /// Gives each dotted name `m.a`, `m.a.b`... a meaning, where `m` is a name of a module
    /// object and `a`, `b` are among the code's names: `nb.prange`, `fj.prange`,
    /// `np.random.rand` resolve by what they are, through any alias of any module.
    fn add_module_attributes(
        &mut self,
        this: &Bound<'_, Dispatcher>,
        mut modules: Vec<(String, Bound<'_, PyModule>)>,
        attributes: &[String],
    ) -> PyResult<()> {
        let py = this.py();
        // `np.random.x` is three deep; deeper chains are not worth the lookups.
        const DEPTH: usize = 3;
        while let Some((path, module)) = modules.pop() {
            if path.matches('.').count() + 1 >= DEPTH {
                continue;
            }
            for attr in attributes {
                let dotted = format!("{path}.{attr}");
                if self.names.contains_key(&dotted) {
                    continue;
                }
                let Ok(obj) = module.getattr(attr.as_str()) else {
                    continue;
                };
                let meaning = self
                    .classify(this, &dotted, &obj, py)
                    .unwrap_or_else(|err| {
                        Meaning::Value(GlobalValue::Unsupported(format!(
                            "`{dotted}` (reading it raised {err})"
                        )))
                    });
                self.names.insert(dotted.clone(), meaning);
                if let Ok(sub) = obj.cast::<PyModule>() {
                    modules.push((dotted, sub.clone()));
                }
            }
        }
        Ok(())
    }

    /// The arrays frozen for the names (see `frozen`).
    pub(crate) fn take_frozen(&mut self) -> Vec<Py<PyAny>> {
        std::mem::take(&mut self.frozen)
    }

    /// The other `@jit` functions the frontend used, in the order of their `FuncId`s.
    pub(crate) fn into_callees(self) -> Vec<Py<Dispatcher>> {
        let mut dispatchers: Vec<Option<Py<Dispatcher>>> =
            self.dispatchers.into_iter().map(Some).collect();
        self.used
            .iter()
            .filter_map(|&i| dispatchers[i].take())
            .collect()
    }

    fn classify(
        &mut self,
        this: &Bound<'_, Dispatcher>,
        name: &str,
        obj: &Bound<'_, PyAny>,
        py: Python<'_>,
    ) -> PyResult<Meaning> {
        let known = known(py)?;
        if let Some((_, module)) = known.modules.iter().find(|(m, _)| obj.is(m.bind(py))) {
            return Ok(Meaning::Value(GlobalValue::Module(*module)));
        }
        if let Some((_, f)) = known.functions.iter().find(|(o, _)| obj.is(o.bind(py))) {
            return Ok(Meaning::Value(GlobalValue::Function(*f)));
        }
        if is_numba_prange(obj)? {
            return Ok(Meaning::Value(GlobalValue::Function(KnownFunction::Prange)));
        }
        if let Ok(dispatcher) = obj.cast::<Dispatcher>() {
            if dispatcher.is(this) {
                return Ok(Meaning::This);
            }
            let index = match self
                .dispatchers
                .iter()
                .position(|d| dispatcher.is(d.bind(py)))
            {
                Some(i) => i,
                None => {
                    self.dispatchers.push(dispatcher.clone().unbind());
                    self.dispatchers.len() - 1
                }
            };
            return Ok(Meaning::Jit(index));
        }
        if let Some(frozen) = freeze_array(name, obj)? {
            return Ok(Meaning::Value(match frozen {
                Ok((array, copy)) => {
                    self.frozen.push(copy);
                    GlobalValue::Array(array)
                }
                Err(description) => GlobalValue::Unsupported(description),
            }));
        }
        if let Some(constant) = constant_of(obj)? {
            return Ok(Meaning::Value(GlobalValue::Constant(constant)));
        }
        if obj.is_instance_of::<PyFunction>() {
            return Ok(Meaning::Value(GlobalValue::PythonFunction {
                name: obj.getattr("__name__")?.extract()?,
            }));
        }
        Ok(Meaning::Value(GlobalValue::Unsupported(describe(
            name, obj,
        )?)))
    }
}

impl frontend::Resolver for NameTable {
    fn resolve(&mut self, name: &str) -> Option<GlobalValue> {
        match self.names.get(name)? {
            Meaning::Value(value) => Some(value.clone()),
            Meaning::This => Some(GlobalValue::Jit(FuncId(0))),
            &Meaning::Jit(index) => {
                let k = match self.used.iter().position(|&i| i == index) {
                    Some(k) => k,
                    None => {
                        self.used.push(index);
                        self.used.len() - 1
                    }
                };
                Some(GlobalValue::Jit(FuncId(k as u32 + 1)))
            }
        }
    }
}

/// Whether `obj` is Numba's `prange`, so that code written for Numba compiles
/// as it is. Only a Numba the program already imported is looked at: importing
/// it here would cost a second of every first compile.
fn is_numba_prange(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let modules = obj.py().import("sys")?.getattr("modules")?;
    let Some(numba) = modules.cast::<PyDict>()?.get_item("numba")? else {
        return Ok(false);
    };
    Ok(numba.getattr("prange").is_ok_and(|p| obj.is(&p)))
}

/// `co_names` and `co_freevars` of `code` and of the code objects nested in it.
fn names_of_code(code: &Bound<'_, PyAny>, out: &mut Vec<String>) -> PyResult<()> {
    for field in ["co_names", "co_freevars"] {
        for name in code.getattr(field)?.cast_into::<PyTuple>()?.iter() {
            out.push(name.extract()?);
        }
    }
    let code_type = code.get_type();
    for constant in code.getattr("co_consts")?.cast_into::<PyTuple>()?.iter() {
        if constant.get_type().is(&code_type) {
            names_of_code(&constant, out)?;
        }
    }
    Ok(())
}

/// Where a name is looked up: the closure, then globals, then builtins.
struct Lookup<'py> {
    globals: Bound<'py, PyDict>,
    /// `(name, cell)` for each free variable of the function.
    closure: Vec<(String, Bound<'py, PyAny>)>,
    builtins: Bound<'py, PyModule>,
}

impl<'py> Lookup<'py> {
    fn new(py_func: &Bound<'py, PyAny>) -> PyResult<Self> {
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
        Ok(Lookup {
            globals,
            closure,
            builtins: py_func.py().import("builtins")?,
        })
    }

    /// None when the name is not defined.
    fn find(&self, name: &str) -> Option<PyResult<Bound<'py, PyAny>>> {
        // A free variable shadows a global of the same name, as in Python.
        if let Some((_, cell)) = self.closure.iter().find(|(n, _)| n == name) {
            // An empty cell: the enclosing function has not assigned it yet.
            return cell.getattr("cell_contents").ok().map(Ok);
        }
        match self.globals.get_item(name) {
            Ok(Some(value)) => return Some(Ok(value)),
            Ok(None) => {}
            Err(err) => return Some(Err(err)),
        }
        self.builtins.getattr(name).ok().map(Ok)
    }
}

/// A NumPy array read as a constant, as Numba does: a C-ordered, read-only
/// copy made now, so a later change to the global is not seen by the code
/// compiled from this parse. `None` when `obj` is not an array; `Err` says why
/// an array cannot be used. The copy must outlive the code (it holds `data`).
/// The one place a frozen array is made.
fn freeze_array(
    name: &str,
    obj: &Bound<'_, PyAny>,
) -> PyResult<Option<Result<(FrozenArray, Py<PyAny>), String>>> {
    let py = obj.py();
    let numpy = py.import("numpy")?;
    if !obj.is_instance(&numpy.getattr("ndarray")?)? {
        return Ok(None);
    }
    let dtype = obj.getattr("dtype")?;
    let dtype_name: String = dtype.getattr("name")?.extract()?;
    let native: bool = dtype.getattr("isnative")?.extract()?;
    let Some(d) = Dtype::from_name(&dtype_name).filter(|_| native) else {
        return Ok(Some(Err(format!(
            "array `{name}` of dtype {dtype_name}, which compiled code does not support"
        ))));
    };
    let kwargs = PyDict::new(py);
    kwargs.set_item("dtype", &dtype)?;
    kwargs.set_item("order", "C")?;
    kwargs.set_item("copy", true)?;
    let copy = numpy.getattr("array")?.call((obj,), Some(&kwargs))?;
    let write = PyDict::new(py);
    write.set_item("write", false)?;
    copy.call_method("setflags", (), Some(&write))?;
    let interface = copy.getattr("__array_interface__")?;
    let data: usize = interface.get_item("data")?.get_item(0)?.extract()?;
    let shape: Vec<i64> = copy.getattr("shape")?.extract()?;
    let strides: Vec<i64> = copy.getattr("strides")?.extract()?;
    let array = FrozenArray {
        dtype: d,
        shape,
        strides,
        data,
        object: copy.as_ptr() as usize,
    };
    Ok(Some(Ok((array, copy.unbind()))))
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
