//! NumPy's functions on numbers (its ufuncs, on scalars): the loop NumPy
//! would pick gives the result type (`np.sqrt(float32)` is float32,
//! `np.floor(int64)` int64).
//!
//! NumPy computes the float functions of int8, uint8 and bool in float16,
//! which ferrojit does not have: float32 here.

use crate::emit::{Arith, Emit, Order, Value};
use crate::promotion::{float_for, promote_dtype, promote_weak, python_default, Kind};
use crate::registry::{degrees, radians, reals_only, Arg, Body, Function, Rejection, Signature};
use crate::{Dtype, Primitive};

/// The type NumPy's type resolution gives the arguments together (NEP 50:
/// Python literals are weak).
fn common(args: &[Arg]) -> Dtype {
    let strong = args.iter().filter_map(|a| match a {
        Arg::Typed(d) => Some(*d),
        Arg::Weak(_) => None,
    });
    let weak = args.iter().filter_map(|a| match a {
        Arg::Weak(k) => Some(*k),
        Arg::Typed(_) => None,
    });
    match strong.reduce(promote_dtype) {
        Some(d) => weak.fold(d, |d, k| promote_weak(k, d)),
        None => python_default(weak.max().unwrap_or(Kind::Float)),
    }
}

fn same(args: &[Arg], d: Dtype) -> Signature {
    Signature {
        params: vec![d; args.len()],
        result: d,
    }
}

/// Functions computed in floats: integers and bools go to the smallest float
/// holding them (`float_for`).
fn float(args: &[Arg]) -> Result<Signature, Rejection> {
    reals_only(args)?;
    Ok(same(args, float_for(common(args))))
}

/// Functions NumPy also defines on complex numbers (`exp`, `sqrt`, `sin`...):
/// a complex argument keeps its type, the others go to floats as `float`.
fn float_or_complex(args: &[Arg]) -> Result<Signature, Rejection> {
    match common(args) {
        d if d.is_complex() => Ok(same(args, d)),
        _ => float(args),
    }
}

/// `conjugate`: the argument's own type, a bool as int8 (NumPy has no bool loop).
fn conjugate_typing(args: &[Arg]) -> Result<Signature, Rejection> {
    match common(args) {
        Dtype::Bool => Ok(same(args, Dtype::Int8)),
        d => Ok(same(args, d)),
    }
}

fn conjugate(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let d = sig.params[0];
    if !d.is_complex() {
        return args[0];
    }
    let (re, im) = emit.parts(args[0]);
    let part = d.real();
    let im = emit.negate(part, im);
    emit.complex(d, re, im)
}

/// `np.angle`: the argument of a complex number in its parts' float type; of
/// a real number (0 or pi) in the float type NumPy's `arctan2` gives it.
fn angle_typing(args: &[Arg]) -> Result<Signature, Rejection> {
    let d = match common(args) {
        d if d.is_complex() => d,
        d => float_for(d),
    };
    Ok(Signature {
        params: vec![d],
        result: d.real(),
    })
}

fn angle(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let (d, r) = (sig.params[0], sig.result);
    let (re, im) = if d.is_complex() {
        emit.parts(args[0])
    } else {
        (args[0], emit.constant(r, 0.0))
    };
    emit.primitive(Primitive::Atan2, r, &[im, re])
}

/// `floor`, `ceil`, `trunc`: the identity on integers and bools, as NumPy 2.
fn keeps_integers(args: &[Arg]) -> Result<Signature, Rejection> {
    reals_only(args)?;
    Ok(same(args, common(args)))
}

/// `isnan`, `isinf`, `isfinite`: a bool for any real number.
fn predicate(args: &[Arg]) -> Result<Signature, Rejection> {
    reals_only(args)?;
    Ok(Signature {
        params: vec![common(args); args.len()],
        result: Dtype::Bool,
    })
}

/// `minimum`, `maximum`, `fmin`, `fmax`: the common type.
fn ordered(args: &[Arg]) -> Result<Signature, Rejection> {
    reals_only(args)?;
    Ok(same(args, common(args)))
}

/// `square`: a bool squares as int8, as in NumPy.
fn square_typing(args: &[Arg]) -> Result<Signature, Rejection> {
    let d = match common(args) {
        Dtype::Bool => Dtype::Int8,
        d => d,
    };
    Ok(same(args, d))
}

/// `sign`: real numbers but bools.
fn signed(args: &[Arg]) -> Result<Signature, Rejection> {
    reals_only(args)?;
    negatable(args)
}

/// `negative`: NumPy refuses bools.
fn negatable(args: &[Arg]) -> Result<Signature, Rejection> {
    match common(args) {
        Dtype::Bool => Err(Rejection {
            arg: 0,
            needs: "a number, not a bool",
            help: "use `not x` for a bool",
        }),
        d => Ok(same(args, d)),
    }
}

/// `reciprocal`: NumPy divides integers as integers (1 // x); only floats here.
fn reciprocal_typing(args: &[Arg]) -> Result<Signature, Rejection> {
    match common(args) {
        d if d.is_float() || d.is_complex() => Ok(same(args, d)),
        _ => Err(Rejection {
            arg: 0,
            needs: "a float",
            help: "write 1.0 / x (NumPy's reciprocal of an integer is integer division)",
        }),
    }
}

/// `p` on floats; the identity on integers and bools.
fn rounded(p: Primitive, emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let d = sig.params[0];
    if d.is_float() {
        emit.primitive(p, d, args)
    } else {
        args[0]
    }
}

fn floor(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    rounded(Primitive::Floor, emit, sig, args)
}

fn ceil(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    rounded(Primitive::Ceil, emit, sig, args)
}

fn trunc(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    rounded(Primitive::Trunc, emit, sig, args)
}

/// `p` on floats; integers and bools are never NaN or infinite.
fn classified(p: Primitive, emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let d = sig.params[0];
    if d.is_float() {
        emit.primitive(p, d, args)
    } else {
        emit.constant(Dtype::Bool, f64::from(u8::from(p == Primitive::IsFinite)))
    }
}

fn isnan(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    classified(Primitive::IsNan, emit, sig, args)
}

fn isinf(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    classified(Primitive::IsInf, emit, sig, args)
}

fn isfinite(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    classified(Primitive::IsFinite, emit, sig, args)
}

/// `a` where `prefer_a` (or `a` is NaN, propagating it), else `b`.
fn pick(
    emit: &mut dyn Emit,
    d: Dtype,
    prefer_a: Value,
    a: Value,
    b: Value,
    nan_wins: bool,
) -> Value {
    if !d.is_float() {
        return emit.select(prefer_a, a, b);
    }
    let (a_nan, b_nan) = (
        emit.primitive(Primitive::IsNan, d, &[a]),
        emit.primitive(Primitive::IsNan, d, &[b]),
    );
    if nan_wins {
        // NumPy's minimum/maximum: `isnan(a) ? a : (a < b ? a : b)`, as one
        // select of `isnan(a) or a < b`: LLVM 19's InstCombine folds the two
        // selects of `np.maximum(abs(x), 0)` into `x > 0 ? abs(x) : 0`.
        let yes = emit.constant(Dtype::Bool, 1.0);
        let prefer_a = emit.select(a_nan, yes, prefer_a);
        emit.select(prefer_a, a, b)
    } else {
        // C's fmin/fmax: a NaN loses to a number; equal values give `a`.
        let ordered = emit.select(prefer_a, a, b);
        let b_or_ordered = emit.select(a_nan, b, ordered);
        emit.select(b_nan, a, b_or_ordered)
    }
}

fn minimum(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let d = sig.params[0];
    let lt = emit.compare(Order::Lt, d, args[0], args[1]);
    pick(emit, d, lt, args[0], args[1], true)
}

fn maximum(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let d = sig.params[0];
    let gt = emit.compare(Order::Gt, d, args[0], args[1]);
    pick(emit, d, gt, args[0], args[1], true)
}

fn fmin(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let d = sig.params[0];
    let not_greater = emit.compare(Order::Le, d, args[0], args[1]);
    pick(emit, d, not_greater, args[0], args[1], false)
}

fn fmax(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let d = sig.params[0];
    let not_less = emit.compare(Order::Ge, d, args[0], args[1]);
    pick(emit, d, not_less, args[0], args[1], false)
}

/// `np.where(cond, x, y)`: the condition read as a bool (nonzero), the two
/// values in their common type.
fn where_typing(args: &[Arg]) -> Result<Signature, Rejection> {
    if crate::registry::is_complex(args[0]) {
        return Err(Rejection {
            arg: 0,
            needs: "a real condition",
            help: "compare the complex values first, e.g. z != 0",
        });
    }
    let d = common(&args[1..]);
    Ok(Signature {
        params: vec![Dtype::Bool, d, d],
        result: d,
    })
}

fn where_body(emit: &mut dyn Emit, _: &Signature, args: &[Value]) -> Value {
    emit.select(args[0], args[1], args[2])
}

/// `np.clip(a, lo, hi)`: NumPy 2's `minimum(maximum(a, lo), hi)`, NaN included,
/// except that a value equal to a bound is kept, as NumPy's clip loop does
/// (`np.clip(0.0, -0.0, 1.0)` is `0.0`, where `maximum` would give `-0.0`).
fn clip(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let d = sig.params[0];
    let below = emit.compare(Order::Lt, d, args[0], args[1]);
    let above = clip_side(emit, d, below, args[0], args[1]);
    let over = emit.compare(Order::Gt, d, above, args[2]);
    clip_side(emit, d, over, above, args[2])
}

/// `bound` where `past` holds, else `x`; a NaN `x`, else a NaN `bound`, wins.
fn clip_side(emit: &mut dyn Emit, d: Dtype, past: Value, x: Value, bound: Value) -> Value {
    let kept = emit.select(past, bound, x);
    if !d.is_float() {
        return kept;
    }
    let (x_nan, bound_nan) = (
        emit.primitive(Primitive::IsNan, d, &[x]),
        emit.primitive(Primitive::IsNan, d, &[bound]),
    );
    let bound_or_kept = emit.select(bound_nan, bound, kept);
    emit.select(x_nan, x, bound_or_kept)
}

/// `np.absolute`: the same type, a complex number's magnitude in its parts'
/// float type.
fn absolute_typing(args: &[Arg]) -> Result<Signature, Rejection> {
    let d = common(args);
    Ok(Signature {
        params: vec![d],
        result: d.real(),
    })
}

fn absolute(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let (d, x) = (sig.params[0], args[0]);
    if d.is_complex() {
        emit.magnitude(x)
    } else if d.is_float() {
        emit.primitive(Primitive::Fabs, d, &[x])
    } else if d.is_signed_int() {
        let zero = emit.constant(d, 0.0);
        let negative = emit.compare(Order::Lt, d, x, zero);
        let minus = emit.negate(d, x);
        emit.select(negative, minus, x)
    } else {
        x
    }
}

fn square(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    emit.arith(Arith::Mul, sig.result, args[0], args[0])
}

fn negative(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    emit.negate(sig.result, args[0])
}

/// -1, 0 or 1 in the argument's type; NaN stays NaN and -0.0 gives 0.0, as NumPy.
fn sign(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let (d, x) = (sig.result, args[0]);
    let zero = emit.constant(d, 0.0);
    let one = emit.constant(d, 1.0);
    let positive = emit.compare(Order::Gt, d, x, zero);
    if d.is_unsigned_int() {
        return emit.select(positive, one, zero);
    }
    let minus_one = emit.constant(d, -1.0);
    let negative = emit.compare(Order::Lt, d, x, zero);
    let is_zero = emit.compare(Order::Eq, d, x, zero);
    // Neither positive, negative nor zero: NaN, which stays itself.
    let rest = emit.select(is_zero, zero, x);
    let rest = emit.select(negative, minus_one, rest);
    emit.select(positive, one, rest)
}

fn reciprocal(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    if sig.result.is_complex() {
        return crate::complex::reciprocal(emit, sig.result, args[0]);
    }
    let one = emit.constant(sig.result, 1.0);
    emit.arith(Arith::Div, sig.result, one, args[0])
}

/// `logical_and`, `logical_or`, `logical_xor`, `logical_not`: each argument
/// read in its own type as a truth value (nonzero; NaN is true), a bool.
fn logical(args: &[Arg]) -> Result<Signature, Rejection> {
    Ok(Signature {
        params: args.iter().map(|a| common(&[*a])).collect(),
        result: Dtype::Bool,
    })
}

/// Whether `x` of type `d` is nonzero.
fn truth(emit: &mut dyn Emit, d: Dtype, x: Value) -> Value {
    let zero = emit.constant(d, 0.0);
    emit.compare(Order::Ne, d, x, zero)
}

fn truths(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> (Value, Value) {
    let a = truth(emit, sig.params[0], args[0]);
    let b = truth(emit, sig.params[1], args[1]);
    (a, b)
}

fn logical_and(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let (a, b) = truths(emit, sig, args);
    let no = emit.constant(Dtype::Bool, 0.0);
    emit.select(a, b, no)
}

fn logical_or(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let (a, b) = truths(emit, sig, args);
    let yes = emit.constant(Dtype::Bool, 1.0);
    emit.select(a, yes, b)
}

fn logical_xor(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let (a, b) = truths(emit, sig, args);
    emit.compare(Order::Ne, Dtype::Bool, a, b)
}

fn logical_not(emit: &mut dyn Emit, sig: &Signature, args: &[Value]) -> Value {
    let zero = emit.constant(sig.params[0], 0.0);
    emit.compare(Order::Eq, sig.params[0], args[0], zero)
}

const fn primitive(names: &'static [&'static str], p: Primitive) -> Function {
    Function {
        names,
        arity: p.arity(),
        typing: float,
        body: Body::Primitive(p),
        ufunc: true,
    }
}

/// A primitive NumPy also computes on complex numbers (`complex.rs`).
const fn with_complex(names: &'static [&'static str], p: Primitive) -> Function {
    Function {
        typing: float_or_complex,
        ..primitive(names, p)
    }
}

const fn custom(
    names: &'static [&'static str],
    arity: usize,
    typing: fn(&[Arg]) -> Result<Signature, Rejection>,
    body: fn(&mut dyn Emit, &Signature, &[Value]) -> Value,
) -> Function {
    Function {
        names,
        arity,
        typing,
        body: Body::Custom(body),
        ufunc: true,
    }
}

pub(crate) const FUNCTIONS: &[Function] = &[
    with_complex(&["sqrt"], Primitive::Sqrt),
    primitive(&["cbrt"], Primitive::Cbrt),
    with_complex(&["exp"], Primitive::Exp),
    with_complex(&["exp2"], Primitive::Exp2),
    primitive(&["expm1"], Primitive::Expm1),
    with_complex(&["log"], Primitive::Log),
    with_complex(&["log2"], Primitive::Log2),
    with_complex(&["log10"], Primitive::Log10),
    primitive(&["log1p"], Primitive::Log1p),
    with_complex(&["sin"], Primitive::Sin),
    with_complex(&["cos"], Primitive::Cos),
    with_complex(&["tan"], Primitive::Tan),
    primitive(&["arcsin", "asin"], Primitive::Asin),
    primitive(&["arccos", "acos"], Primitive::Acos),
    primitive(&["arctan", "atan"], Primitive::Atan),
    with_complex(&["sinh"], Primitive::Sinh),
    with_complex(&["cosh"], Primitive::Cosh),
    with_complex(&["tanh"], Primitive::Tanh),
    primitive(&["arcsinh", "asinh"], Primitive::Asinh),
    primitive(&["arccosh", "acosh"], Primitive::Acosh),
    primitive(&["arctanh", "atanh"], Primitive::Atanh),
    primitive(&["arctan2", "atan2"], Primitive::Atan2),
    primitive(&["hypot"], Primitive::Hypot),
    primitive(&["copysign"], Primitive::CopySign),
    primitive(&["fabs"], Primitive::Fabs),
    primitive(&["rint"], Primitive::Rint),
    custom(&["floor"], 1, keeps_integers, floor),
    custom(&["ceil"], 1, keeps_integers, ceil),
    custom(&["trunc"], 1, keeps_integers, trunc),
    custom(&["isnan"], 1, predicate, isnan),
    custom(&["isinf"], 1, predicate, isinf),
    custom(&["isfinite"], 1, predicate, isfinite),
    custom(&["minimum"], 2, ordered, minimum),
    custom(&["maximum"], 2, ordered, maximum),
    custom(&["fmin"], 2, ordered, fmin),
    custom(&["fmax"], 2, ordered, fmax),
    custom(&["absolute", "abs"], 1, absolute_typing, absolute),
    custom(&["square"], 1, square_typing, square),
    custom(&["negative"], 1, negatable, negative),
    custom(&["conjugate", "conj"], 1, conjugate_typing, conjugate),
    custom(&["sign"], 1, signed, sign),
    custom(&["reciprocal"], 1, reciprocal_typing, reciprocal),
    // Not ufuncs: no `out=`.
    Function {
        names: &["angle"],
        arity: 1,
        typing: angle_typing,
        body: Body::Custom(angle),
        ufunc: false,
    },
    Function {
        names: &["where"],
        arity: 3,
        typing: where_typing,
        body: Body::Custom(where_body),
        ufunc: false,
    },
    custom(&["clip"], 3, ordered, clip),
    custom(&["logical_and"], 2, logical, logical_and),
    custom(&["logical_or"], 2, logical, logical_or),
    custom(&["logical_xor"], 2, logical, logical_xor),
    custom(&["logical_not"], 1, logical, logical_not),
    custom(&["degrees", "rad2deg"], 1, float, degrees),
    custom(&["radians", "deg2rad"], 1, float, radians),
];

#[cfg(test)]
mod tests {
    use super::*;
    use Dtype::*;

    #[test]
    fn loops_follow_numpy_result_types() {
        let t =
            |args: &[Arg], f: fn(&[Arg]) -> Result<Signature, Rejection>| f(args).map(|s| s.result);
        assert_eq!(t(&[Arg::Typed(Float32)], float), Ok(Float32));
        assert_eq!(t(&[Arg::Typed(Int64)], float), Ok(Float64));
        assert_eq!(t(&[Arg::Typed(Int16)], float), Ok(Float32));
        assert_eq!(t(&[Arg::Weak(Kind::Int)], float), Ok(Float64));
        assert_eq!(
            t(&[Arg::Weak(Kind::Int), Arg::Typed(Float32)], float),
            Ok(Float32)
        );
        assert_eq!(t(&[Arg::Typed(Int64)], keeps_integers), Ok(Int64));
        assert_eq!(
            t(&[Arg::Typed(UInt8), Arg::Typed(Int8)], ordered),
            Ok(Int16)
        );
        assert_eq!(t(&[Arg::Typed(Bool)], square_typing), Ok(Int8));
        assert!(signed(&[Arg::Typed(Bool)]).is_err());
        assert!(float(&[Arg::Typed(Complex128)]).is_err());
    }

    #[test]
    fn complex_arguments_keep_their_type_where_numpy_has_a_complex_loop() {
        let t =
            |args: &[Arg], f: fn(&[Arg]) -> Result<Signature, Rejection>| f(args).map(|s| s.result);
        assert_eq!(t(&[Arg::Typed(Complex64)], float_or_complex), Ok(Complex64));
        assert_eq!(
            t(&[Arg::Weak(Kind::Complex)], float_or_complex),
            Ok(Complex128)
        );
        assert_eq!(t(&[Arg::Typed(Int32)], float_or_complex), Ok(Float64));
        assert_eq!(t(&[Arg::Typed(Complex64)], angle_typing), Ok(Float32));
        assert_eq!(t(&[Arg::Typed(Int64)], angle_typing), Ok(Float64));
        assert_eq!(t(&[Arg::Typed(Int16)], conjugate_typing), Ok(Int16));
        assert_eq!(t(&[Arg::Typed(Bool)], conjugate_typing), Ok(Int8));
        assert_eq!(
            t(&[Arg::Typed(Complex64)], reciprocal_typing),
            Ok(Complex64)
        );
        assert!(signed(&[Arg::Typed(Complex128)]).is_err());
        assert_eq!(t(&[Arg::Typed(Complex128)], negatable), Ok(Complex128));
    }

    #[test]
    fn logical_functions_read_each_argument_in_its_own_type() {
        let sig = logical(&[Arg::Typed(Float32), Arg::Weak(Kind::Int)]).unwrap();
        assert_eq!(sig.params, vec![Float32, Int64]);
        assert_eq!(sig.result, Bool);
    }

    #[test]
    fn where_and_angle_are_no_ufuncs() {
        let ufunc = |name: &str| {
            FUNCTIONS
                .iter()
                .find(|f| f.names[0] == name)
                .map(|f| f.ufunc)
        };
        assert_eq!(ufunc("sqrt"), Some(true));
        assert_eq!(ufunc("logical_xor"), Some(true));
        assert_eq!(ufunc("where"), Some(false));
        assert_eq!(ufunc("angle"), Some(false));
    }
}
