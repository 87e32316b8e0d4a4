//! NumPy's functions of complex numbers, built from real primitives on the
//! parts (`exp(x + iy) = e^x (cos y + i sin y)`), in the parts' float type.
//! The textbook formulas: right to rounding for finite arguments; the C
//! library's special cases of infinities and NaNs (Annex G) are not all kept.

use crate::emit::{Arith, Emit, Order, Value};
use crate::{Dtype, Primitive};

/// `p` of the complex number `z` of dtype `d`, for the primitives NumPy
/// defines on complex numbers; `None` for the others.
pub(crate) fn complex_primitive(
    emit: &mut dyn Emit,
    p: Primitive,
    d: Dtype,
    z: Value,
) -> Option<Value> {
    let r = d.real();
    let (x, y) = emit.parts(z);
    let f = |emit: &mut dyn Emit, p: Primitive, v: Value| emit.primitive(p, r, &[v]);
    let times = |emit: &mut dyn Emit, a: Value, b: Value| emit.arith(Arith::Mul, r, a, b);
    Some(match p {
        Primitive::Exp => exp(emit, r, x, y),
        Primitive::Exp2 => {
            let ln2 = emit.constant(r, std::f64::consts::LN_2);
            let (x, y) = (times(emit, x, ln2), times(emit, y, ln2));
            exp(emit, r, x, y)
        }
        Primitive::Log => log(emit, r, x, y, 1.0),
        Primitive::Log2 => log(emit, r, x, y, std::f64::consts::LOG2_E),
        Primitive::Log10 => log(emit, r, x, y, std::f64::consts::LOG10_E),
        Primitive::Sqrt => sqrt(emit, r, x, y),
        Primitive::Sin | Primitive::Cos | Primitive::Sinh | Primitive::Cosh => {
            let (sx, cx) = (f(emit, Primitive::Sin, x), f(emit, Primitive::Cos, x));
            let (shy, chy) = (f(emit, Primitive::Sinh, y), f(emit, Primitive::Cosh, y));
            let (shx, chx) = (f(emit, Primitive::Sinh, x), f(emit, Primitive::Cosh, x));
            let (sy, cy) = (f(emit, Primitive::Sin, y), f(emit, Primitive::Cos, y));
            let (re, im) = match p {
                // sin(x + iy) = sin x cosh y + i cos x sinh y
                Primitive::Sin => (times(emit, sx, chy), times(emit, cx, shy)),
                // cos(x + iy) = cos x cosh y - i sin x sinh y
                Primitive::Cos => {
                    let im = times(emit, sx, shy);
                    (times(emit, cx, chy), emit.negate(r, im))
                }
                // sinh(x + iy) = sinh x cos y + i cosh x sin y
                Primitive::Sinh => (times(emit, shx, cy), times(emit, chx, sy)),
                // cosh(x + iy) = cosh x cos y + i sinh x sin y
                _ => (times(emit, chx, cy), times(emit, shx, sy)),
            };
            emit.complex(d, re, im)
        }
        Primitive::Tan | Primitive::Tanh => {
            let (num, den) = match p {
                Primitive::Tan => (Primitive::Sin, Primitive::Cos),
                _ => (Primitive::Sinh, Primitive::Cosh),
            };
            let n = complex_primitive(emit, num, d, z)?;
            let m = complex_primitive(emit, den, d, z)?;
            emit.arith(Arith::Div, d, n, m)
        }
        _ => return None,
    })
}

/// e^x (cos y + i sin y); a real argument (y == 0) keeps its zero
/// imaginary part (`exp(inf + 0j)` is `inf + 0j`, not `inf + nan j`).
fn exp(emit: &mut dyn Emit, r: Dtype, x: Value, y: Value) -> Value {
    let d = complex_of(r);
    let ex = emit.primitive(Primitive::Exp, r, &[x]);
    let (c, s) = (
        emit.primitive(Primitive::Cos, r, &[y]),
        emit.primitive(Primitive::Sin, r, &[y]),
    );
    let re = emit.arith(Arith::Mul, r, ex, c);
    let im = emit.arith(Arith::Mul, r, ex, s);
    let zero = emit.constant(r, 0.0);
    let real = emit.compare(Order::Eq, r, y, zero);
    let re = emit.select(real, ex, re);
    let im = emit.select(real, y, im);
    emit.complex(d, re, im)
}

/// (log |z| + i arg z) * scale.
fn log(emit: &mut dyn Emit, r: Dtype, x: Value, y: Value, scale: f64) -> Value {
    let d = complex_of(r);
    let m = emit.primitive(Primitive::Hypot, r, &[x, y]);
    let re = emit.primitive(Primitive::Log, r, &[m]);
    let im = emit.primitive(Primitive::Atan2, r, &[y, x]);
    if scale == 1.0 {
        return emit.complex(d, re, im);
    }
    let k = emit.constant(r, scale);
    let re = emit.arith(Arith::Mul, r, re, k);
    let im = emit.arith(Arith::Mul, r, im, k);
    emit.complex(d, re, im)
}

/// The principal square root (cut along the negative reals, the imaginary
/// part's sign kept): t = sqrt((|x| + |z|) / 2), then (t, y / 2t) for
/// x >= 0, else (|y| / 2t, copysign(t, y)); 0 for 0.
fn sqrt(emit: &mut dyn Emit, r: Dtype, x: Value, y: Value) -> Value {
    let d = complex_of(r);
    let zero = emit.constant(r, 0.0);
    let half = emit.constant(r, 0.5);
    let two = emit.constant(r, 2.0);
    let ax = emit.primitive(Primitive::Fabs, r, &[x]);
    let ay = emit.primitive(Primitive::Fabs, r, &[y]);
    let m = emit.primitive(Primitive::Hypot, r, &[x, y]);
    let sum = emit.arith(Arith::Add, r, ax, m);
    let halved = emit.arith(Arith::Mul, r, sum, half);
    let t = emit.primitive(Primitive::Sqrt, r, &[halved]);
    let two_t = emit.arith(Arith::Mul, r, t, two);
    let y_over = emit.arith(Arith::Div, r, y, two_t);
    let ay_over = emit.arith(Arith::Div, r, ay, two_t);
    let signed_t = emit.primitive(Primitive::CopySign, r, &[t, y]);
    let nonneg = emit.compare(Order::Ge, r, x, zero);
    let re = emit.select(nonneg, t, ay_over);
    let im = emit.select(nonneg, y_over, signed_t);
    let is_zero = emit.compare(Order::Eq, r, m, zero);
    let re = emit.select(is_zero, zero, re);
    let im = emit.select(is_zero, y, im);
    emit.complex(d, re, im)
}

fn complex_of(r: Dtype) -> Dtype {
    match r {
        Dtype::Float32 => Dtype::Complex64,
        _ => Dtype::Complex128,
    }
}

/// `a ** b` of complex numbers of dtype `d`: NumPy's rules for a zero base
/// (`0 ** b` is 0 for a positive real `b`, 1 for `b == 0`, else NaN), else
/// `exp(b log a)`.
pub fn power(emit: &mut dyn Emit, d: Dtype, a: Value, b: Value) -> Value {
    let r = d.real();
    let (x, y) = emit.parts(a);
    let (u, v) = emit.parts(b);
    let l = log(emit, r, x, y, 1.0);
    let p = emit.arith(Arith::Mul, d, b, l);
    let (px, py) = emit.parts(p);
    let e = exp(emit, r, px, py);
    let zero = emit.constant(r, 0.0);
    let nan = emit.constant(r, f64::NAN);
    let czero = emit.constant(d, 0.0);
    let one = emit.constant(d, 1.0);
    let cnan = emit.complex(d, nan, nan);
    let x0 = emit.compare(Order::Eq, r, x, zero);
    let y0 = emit.compare(Order::Eq, r, y, zero);
    let base_zero = emit.select(x0, y0, x0);
    let u_pos = emit.compare(Order::Gt, r, u, zero);
    let u0 = emit.compare(Order::Eq, r, u, zero);
    let v0 = emit.compare(Order::Eq, r, v, zero);
    let exp_zero = emit.select(u0, v0, u0);
    let positive_real = emit.select(u_pos, v0, u_pos);
    let of_zero = emit.select(positive_real, czero, cnan);
    let r = emit.select(base_zero, of_zero, e);
    emit.select(exp_zero, one, r)
}
