//! Python's scoping rules for one function: which names are locals, and what
//! the attributes of the `math` and `numpy` modules mean.

use rustpython_parser::ast::{self, Ranged};
use rustpython_parser::text_size::TextRange;

use crate::hir::{AllocFn, Dtype, KnownFunction, KnownModule, MathFn};

/// A name bound somewhere in the function body, with the range of its first binding.
pub(crate) struct Binding {
    pub(crate) name: String,
    pub(crate) range: TextRange,
}

/// Every name the body binds (assignment, augmented or annotated assignment, `for`
/// target), in order of first appearance. Python makes such a name local to the
/// whole function, even where it is read before the binding.
pub(crate) fn collect_bindings(body: &[ast::Stmt]) -> Vec<Binding> {
    let mut bindings = Vec::new();
    collect_block(body, &mut bindings);
    bindings
}

fn collect_block(body: &[ast::Stmt], out: &mut Vec<Binding>) {
    for stmt in body {
        match stmt {
            ast::Stmt::Assign(s) => s.targets.iter().for_each(|t| collect_target(t, out)),
            ast::Stmt::AugAssign(s) => collect_target(&s.target, out),
            ast::Stmt::AnnAssign(s) => collect_target(&s.target, out),
            ast::Stmt::For(s) => {
                collect_target(&s.target, out);
                collect_block(&s.body, out);
                collect_block(&s.orelse, out);
            }
            ast::Stmt::While(s) => {
                collect_block(&s.body, out);
                collect_block(&s.orelse, out);
            }
            ast::Stmt::If(s) => {
                collect_block(&s.body, out);
                collect_block(&s.orelse, out);
            }
            // Other statements either bind nothing or are rejected as unsupported,
            // so the names they would bind never matter.
            _ => {}
        }
    }
}

fn collect_target(target: &ast::Expr, out: &mut Vec<Binding>) {
    match target {
        ast::Expr::Name(n) => {
            if !out.iter().any(|b| b.name == n.id.as_str()) {
                out.push(Binding {
                    name: n.id.to_string(),
                    range: n.range(),
                });
            }
        }
        ast::Expr::Tuple(t) => t.elts.iter().for_each(|e| collect_target(e, out)),
        ast::Expr::List(l) => l.elts.iter().for_each(|e| collect_target(e, out)),
        ast::Expr::Starred(s) => collect_target(&s.value, out),
        // `a[i] = v` and `a.x = v` bind no name.
        _ => {}
    }
}

/// What `module.attr` refers to.
pub(crate) enum ModuleMember {
    Function(KnownFunction),
    Constant(f64),
}

/// The dotted name users know the module by, for messages (`numpy.foo`).
pub(crate) fn module_name(module: KnownModule) -> &'static str {
    match module {
        KnownModule::Math => "math",
        KnownModule::Numpy => "numpy",
    }
}

pub(crate) fn module_member(module: KnownModule, attr: &str) -> Option<ModuleMember> {
    match module {
        KnownModule::Math => math_member(attr),
        KnownModule::Numpy => numpy_member(attr),
    }
}

fn math_member(attr: &str) -> Option<ModuleMember> {
    if let Some(f) = MathFn::from_name(attr) {
        return Some(ModuleMember::Function(KnownFunction::Math(f)));
    }
    let value = match attr {
        "pi" => std::f64::consts::PI,
        "e" => std::f64::consts::E,
        "tau" => std::f64::consts::TAU,
        "inf" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => return None,
    };
    Some(ModuleMember::Constant(value))
}

/// NumPy's scalar functions that share semantics with a `math` function.
const NUMPY_MATH: [(&str, MathFn); 16] = [
    ("sqrt", MathFn::Sqrt),
    ("exp", MathFn::Exp),
    ("log", MathFn::Log),
    ("log1p", MathFn::Log1p),
    ("expm1", MathFn::Expm1),
    ("sin", MathFn::Sin),
    ("cos", MathFn::Cos),
    ("tan", MathFn::Tan),
    ("tanh", MathFn::Tanh),
    ("floor", MathFn::Floor),
    ("ceil", MathFn::Ceil),
    ("fabs", MathFn::Fabs),
    ("isnan", MathFn::IsNan),
    ("isinf", MathFn::IsInf),
    ("arctan2", MathFn::Atan2),
    ("power", MathFn::Pow),
];

/// NumPy's aliases of the dtypes in `Dtype` (the canonical names are found by `Dtype::from_name`).
const NUMPY_DTYPE_ALIASES: [(&str, Dtype); 17] = [
    ("bool_", Dtype::Bool),
    ("intp", Dtype::Int64),
    ("uintp", Dtype::UInt64),
    ("int_", Dtype::Int64),
    ("byte", Dtype::Int8),
    ("ubyte", Dtype::UInt8),
    ("short", Dtype::Int16),
    ("ushort", Dtype::UInt16),
    ("intc", Dtype::Int32),
    ("uintc", Dtype::UInt32),
    ("longlong", Dtype::Int64),
    ("ulonglong", Dtype::UInt64),
    ("single", Dtype::Float32),
    ("double", Dtype::Float64),
    ("csingle", Dtype::Complex64),
    ("cdouble", Dtype::Complex128),
    ("float_", Dtype::Float64),
];

fn numpy_member(attr: &str) -> Option<ModuleMember> {
    let function = if let Some(a) = AllocFn::from_name(attr) {
        KnownFunction::Alloc(a)
    } else if let Some(d) = Dtype::from_name(attr) {
        KnownFunction::Scalar(d)
    } else if let Some((_, d)) = NUMPY_DTYPE_ALIASES.iter().find(|(n, _)| *n == attr) {
        KnownFunction::Scalar(*d)
    } else if let Some((_, f)) = NUMPY_MATH.iter().find(|(n, _)| *n == attr) {
        KnownFunction::Math(*f)
    } else if attr == "abs" || attr == "absolute" {
        KnownFunction::Abs
    } else {
        let value = match attr {
            "pi" => std::f64::consts::PI,
            "e" => std::f64::consts::E,
            "inf" => f64::INFINITY,
            "nan" => f64::NAN,
            _ => return None,
        };
        return Some(ModuleMember::Constant(value));
    };
    Some(ModuleMember::Function(function))
}
