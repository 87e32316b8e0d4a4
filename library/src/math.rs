//! Python's `math` module: real arguments read as Python floats (float64),
//! IEEE results outside the domain (docs/language.md says why).

use crate::registry::{degrees, radians, reals_only, Arg, Body, Function, Rejection, Signature};
use crate::{Dtype, Primitive};

fn floats(args: &[Arg], result: Dtype) -> Result<Signature, Rejection> {
    reals_only(args)?;
    Ok(Signature {
        params: vec![Dtype::Float64; args.len()],
        result,
    })
}

/// Float arguments, a float result.
fn real(args: &[Arg]) -> Result<Signature, Rejection> {
    floats(args, Dtype::Float64)
}

/// `floor`, `ceil`, `trunc`: Python returns an int (int64 here).
fn to_int(args: &[Arg]) -> Result<Signature, Rejection> {
    floats(args, Dtype::Int64)
}

fn predicate(args: &[Arg]) -> Result<Signature, Rejection> {
    floats(args, Dtype::Bool)
}

const fn primitive(
    names: &'static [&'static str],
    typing: fn(&[Arg]) -> Result<Signature, Rejection>,
    p: Primitive,
) -> Function {
    Function {
        names,
        arity: p.arity(),
        typing,
        body: Body::Primitive(p),
        ufunc: false,
    }
}

pub(crate) const FUNCTIONS: &[Function] = &[
    primitive(&["sqrt"], real, Primitive::Sqrt),
    primitive(&["cbrt"], real, Primitive::Cbrt),
    primitive(&["exp"], real, Primitive::Exp),
    primitive(&["exp2"], real, Primitive::Exp2),
    primitive(&["expm1"], real, Primitive::Expm1),
    primitive(&["log"], real, Primitive::Log),
    primitive(&["log2"], real, Primitive::Log2),
    primitive(&["log10"], real, Primitive::Log10),
    primitive(&["log1p"], real, Primitive::Log1p),
    primitive(&["sin"], real, Primitive::Sin),
    primitive(&["cos"], real, Primitive::Cos),
    primitive(&["tan"], real, Primitive::Tan),
    primitive(&["asin"], real, Primitive::Asin),
    primitive(&["acos"], real, Primitive::Acos),
    primitive(&["atan"], real, Primitive::Atan),
    primitive(&["sinh"], real, Primitive::Sinh),
    primitive(&["cosh"], real, Primitive::Cosh),
    primitive(&["tanh"], real, Primitive::Tanh),
    primitive(&["asinh"], real, Primitive::Asinh),
    primitive(&["acosh"], real, Primitive::Acosh),
    primitive(&["atanh"], real, Primitive::Atanh),
    primitive(&["atan2"], real, Primitive::Atan2),
    primitive(&["hypot"], real, Primitive::Hypot),
    primitive(&["pow"], real, Primitive::Pow),
    primitive(&["copysign"], real, Primitive::CopySign),
    primitive(&["fabs"], real, Primitive::Fabs),
    primitive(&["floor"], to_int, Primitive::Floor),
    primitive(&["ceil"], to_int, Primitive::Ceil),
    primitive(&["trunc"], to_int, Primitive::Trunc),
    primitive(&["erf"], real, Primitive::Erf),
    primitive(&["erfc"], real, Primitive::Erfc),
    primitive(&["gamma"], real, Primitive::Gamma),
    primitive(&["lgamma"], real, Primitive::Lgamma),
    primitive(&["isnan"], predicate, Primitive::IsNan),
    primitive(&["isinf"], predicate, Primitive::IsInf),
    primitive(&["isfinite"], predicate, Primitive::IsFinite),
    Function {
        names: &["degrees"],
        arity: 1,
        typing: real,
        body: Body::Custom(degrees),
        ufunc: false,
    },
    Function {
        names: &["radians"],
        arity: 1,
        typing: real,
        body: Body::Custom(radians),
        ufunc: false,
    },
];
