//! The registry: one [`Function`] entry per library function, holding its
//! names, its typing rule and its lowering, in the table of its namespace
//! (`math.rs`, `ufunc.rs`). The frontend resolves names from these tables,
//! typeinfer calls `typing`, lower calls `lower`, and docs/language.md's table
//! of supported functions is generated from them (a test compares).

use crate::emit::{Emit, Value};
use crate::promotion::Kind;
use crate::{Dtype, Primitive};

/// The module a function belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Namespace {
    /// Python's `math`: real arguments, read as float64 (Python floats).
    Math,
    /// NumPy's functions (`np.sqrt`): NumPy's loops, whose result type follows
    /// the arguments' dtypes.
    Numpy,
}

impl Namespace {
    pub const ALL: [Namespace; 2] = [Namespace::Math, Namespace::Numpy];

    /// How users spell it: `math.sqrt`, `np.sqrt`.
    pub fn prefix(self) -> &'static str {
        match self {
            Namespace::Math => "math",
            Namespace::Numpy => "np",
        }
    }

    /// The module's own name: `math`, `numpy`.
    pub fn module(self) -> &'static str {
        match self {
            Namespace::Math => "math",
            Namespace::Numpy => "numpy",
        }
    }

    fn table(self) -> &'static [Function] {
        match self {
            Namespace::Math => crate::math::FUNCTIONS,
            Namespace::Numpy => crate::ufunc::FUNCTIONS,
        }
    }
}

/// A registered function, as HIR names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LibFn {
    namespace: Namespace,
    index: u16,
}

impl LibFn {
    pub fn function(self) -> &'static Function {
        &self.namespace.table()[self.index as usize]
    }
    pub fn namespace(self) -> Namespace {
        self.namespace
    }
    /// `math.sqrt`, `np.floor`: how messages name it.
    pub fn qualified_name(self) -> String {
        format!("{}.{}", self.namespace.prefix(), self.function().names[0])
    }
    /// Whether calls may give an output array (`np.sqrt(x, out=y)`).
    pub fn takes_out(self) -> bool {
        self.function().ufunc
    }
    /// `math.sqrt`, `numpy.floor`: the full path, as HIR dumps print it.
    pub fn path(self) -> String {
        format!("{}.{}", self.namespace.module(), self.function().names[0])
    }
}

/// Every registered function of `namespace`, under each of its names.
pub fn functions(namespace: Namespace) -> impl Iterator<Item = (&'static str, LibFn)> {
    namespace
        .table()
        .iter()
        .enumerate()
        .flat_map(move |(index, f)| {
            let id = LibFn {
                namespace,
                index: index as u16,
            };
            f.names.iter().map(move |name| (*name, id))
        })
}

/// An argument as a typing rule sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A value of a NumPy type (an int64 variable, a float32 element...).
    Typed(Dtype),
    /// A Python literal of this kind, "weak" in NumPy 2's promotion (NEP 50).
    Weak(Kind),
}

/// A call's types, as chosen by a typing rule: each argument is converted to
/// its parameter's type before the call, and the call gives a `result`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub params: Vec<Dtype>,
    pub result: Dtype,
}

/// Why a typing rule refuses an argument: "`np.sqrt` needs {needs}".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub arg: usize,
    pub needs: &'static str,
    pub help: &'static str,
}

/// How a function computes its result from its converted arguments.
#[derive(Clone, Copy, Debug)]
pub enum Body {
    /// One primitive at the parameters' float type, converted to the result type.
    Primitive(Primitive),
    Custom(fn(&mut dyn Emit, &Signature, &[Value]) -> Value),
}

/// One library function: its names, its typing rule and its lowering.
#[derive(Debug)]
pub struct Function {
    /// The first is the one messages and docs use; the others are aliases
    /// (`np.arcsin` and `np.asin`).
    pub names: &'static [&'static str],
    pub arity: usize,
    pub typing: fn(&[Arg]) -> Result<Signature, Rejection>,
    pub body: Body,
    /// A NumPy ufunc: it takes `out=` (or one more positional argument), the
    /// array its result is computed into.
    pub ufunc: bool,
}

impl Function {
    /// Emits the call, `args` already converted to `sig.params`.
    pub fn lower(&self, emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
        match self.body {
            Body::Primitive(p) => {
                let at = sig.params[0];
                if at.is_complex() {
                    // The typing rule admits complex numbers only where this has a formula.
                    if let Some(r) = crate::complex::complex_primitive(emit, p, at, args[0]) {
                        return r;
                    }
                }
                let r = emit.primitive(p, at, args);
                let got = if p.is_predicate() { Dtype::Bool } else { at };
                if got == sig.result {
                    r
                } else {
                    emit.cast(r, got, sig.result)
                }
            }
            Body::Custom(f) => f(emit, sig, args),
        }
    }
}

pub(crate) fn is_complex(arg: Arg) -> bool {
    matches!(arg, Arg::Weak(Kind::Complex)) || matches!(arg, Arg::Typed(d) if d.is_complex())
}

/// `x * factor`, the factor computed in the argument's float type as C
/// computes `180.0f / NPY_PIf` for float32 (not float64's factor rounded).
fn scaled(emit: &mut dyn Emit, sig: &Signature, x: Value, (f64s, f32s): (f64, f32)) -> Value {
    let d = sig.params[0];
    let factor = if d == Dtype::Float32 {
        f64::from(f32s)
    } else {
        f64s
    };
    let k = emit.constant(d, factor);
    emit.arith(crate::Arith::Mul, d, x, k)
}

/// `math.degrees` and `np.degrees`: CPython's and NumPy's `x * (180 / pi)`.
pub(crate) fn degrees(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    use std::{f32, f64};
    let factors = (180.0 / f64::consts::PI, 180.0 / f32::consts::PI);
    scaled(emit, sig, args[0], factors)
}

/// `math.radians` and `np.radians`: `x * (pi / 180)`.
pub(crate) fn radians(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    use std::{f32, f64};
    let factors = (f64::consts::PI / 180.0, f32::consts::PI / 180.0);
    scaled(emit, sig, args[0], factors)
}

/// The first complex argument, refused: complex arguments are not supported yet.
pub(crate) fn reals_only(args: &[Arg]) -> Result<(), Rejection> {
    match args.iter().position(|a| is_complex(*a)) {
        Some(arg) => Err(Rejection {
            arg,
            needs: "real numbers",
            help: "complex arguments are not supported yet; use z.real or abs(z)",
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_namespace_and_arities_match_bodies() {
        for ns in Namespace::ALL {
            let mut names: Vec<&str> = functions(ns).map(|(name, _)| name).collect();
            let count = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), count, "{ns:?}");
            for f in ns.table() {
                if let Body::Primitive(p) = f.body {
                    assert_eq!(p.arity(), f.arity, "{}", f.names[0]);
                }
            }
        }
    }
}
