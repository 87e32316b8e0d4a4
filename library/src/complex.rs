//! NumPy's functions of complex numbers. NumPy's loops call the C library's
//! complex functions on Linux (`cexp`, `clog`, `csqrt`, `csin`, ...: glibc's,
//! whose infinities, NaNs and signed zeros are C99 Annex G's), so these call
//! the same ones ([`Emit::complex_call`]) and give NumPy's results bit for
//! bit. What NumPy computes itself is written out here as NumPy writes it:
//! `exp2`, `log2` and `log10` (scaled parts around `cexp`/`clog`),
//! `reciprocal`, and `**` (`npy_cpow`); and `**` of numbers as CPython's.

use crate::emit::{Arith, Emit, Order, Value};
use crate::{ComplexFn, Dtype, Primitive};

/// `p` of the complex number `z` of dtype `d`, for the primitives NumPy
/// defines on complex numbers; `None` for the others.
pub(crate) fn complex_primitive(
    emit: &mut dyn Emit,
    p: Primitive,
    d: Dtype,
    z: Value,
) -> Option<Value> {
    let call = |emit: &mut dyn Emit, f: ComplexFn, z: Value| emit.complex_call(f, d, &[z]);
    Some(match p {
        Primitive::Exp => call(emit, ComplexFn::Exp, z),
        // NumPy's nc_exp2: cexp(z * ln 2), each part scaled.
        Primitive::Exp2 => {
            let scaled = scale_parts(emit, d, z, std::f64::consts::LN_2);
            call(emit, ComplexFn::Exp, scaled)
        }
        Primitive::Log => call(emit, ComplexFn::Log, z),
        // NumPy's nc_log2/nc_log10: clog(z), each part scaled.
        Primitive::Log2 | Primitive::Log10 => {
            let l = call(emit, ComplexFn::Log, z);
            let k = match p {
                Primitive::Log2 => std::f64::consts::LOG2_E,
                _ => std::f64::consts::LOG10_E,
            };
            scale_parts(emit, d, l, k)
        }
        Primitive::Sqrt => call(emit, ComplexFn::Sqrt, z),
        Primitive::Sin => call(emit, ComplexFn::Sin, z),
        Primitive::Cos => call(emit, ComplexFn::Cos, z),
        Primitive::Tan => call(emit, ComplexFn::Tan, z),
        Primitive::Sinh => call(emit, ComplexFn::Sinh, z),
        Primitive::Cosh => call(emit, ComplexFn::Cosh, z),
        Primitive::Tanh => call(emit, ComplexFn::Tanh, z),
        _ => return None,
    })
}

/// `z` with both parts multiplied by `k` (rounded to the parts' type).
fn scale_parts(emit: &mut dyn Emit, d: Dtype, z: Value, k: f64) -> Value {
    let r = d.real();
    let (x, y) = emit.parts(z);
    let k = emit.constant(r, k);
    let x = emit.arith(Arith::Mul, r, x, k);
    let y = emit.arith(Arith::Mul, r, y, k);
    emit.complex(d, x, y)
}

/// `1 / z` as NumPy's `reciprocal` loop: divided through by the larger part
/// (the smaller over it when `|y| <= |x|`, else the other way round, which
/// NaN parts take), so its zeros' signs are NumPy's, not those of `1 / z`.
pub(crate) fn reciprocal(emit: &mut dyn Emit, d: Dtype, z: Value) -> Value {
    let r = d.real();
    let (x, y) = emit.parts(z);
    let one = emit.constant(r, 1.0);
    let ax = emit.primitive(Primitive::Fabs, r, &[x]);
    let ay = emit.primitive(Primitive::Fabs, r, &[y]);
    let by_x = emit.compare(Order::Le, r, ay, ax);
    // |y| <= |x|: t = y / x, m = x + y t, 1/z = (1 / m, -t / m).
    let t = emit.arith(Arith::Div, r, y, x);
    let yt = emit.arith(Arith::Mul, r, y, t);
    let m = emit.arith(Arith::Add, r, x, yt);
    let re_x = emit.arith(Arith::Div, r, one, m);
    let t_over = emit.arith(Arith::Div, r, t, m);
    let im_x = emit.negate(r, t_over);
    // Else: t = x / y, m = x t + y, 1/z = (t / m, -1 / m).
    let t = emit.arith(Arith::Div, r, x, y);
    let xt = emit.arith(Arith::Mul, r, x, t);
    let m = emit.arith(Arith::Add, r, xt, y);
    let re_y = emit.arith(Arith::Div, r, t, m);
    let one_over = emit.arith(Arith::Div, r, one, m);
    let im_y = emit.negate(r, one_over);
    let re = emit.select(by_x, re_x, re_y);
    let im = emit.select(by_x, im_x, im_y);
    emit.complex(d, re, im)
}

/// `a ** b` of complex numbers of dtype `d`, as NumPy's `npy_cpow`: 1 for
/// `b == 0`; for `a == 0`, 0 when `b`'s real part is positive, else NaN; a
/// real integer `b` with `|b| < 100` multiplies out (its own division for a
/// negative one); every other case is the C library's `cpow`.
pub fn power(emit: &mut dyn Emit, d: Dtype, a: Value, b: Value) -> Value {
    let r = d.real();
    let (x, y) = emit.parts(a);
    let (u, v) = emit.parts(b);
    let zero = emit.constant(r, 0.0);
    let both_zero = |emit: &mut dyn Emit, p: Value, q: Value| {
        let p0 = emit.compare(Order::Eq, r, p, zero);
        let q0 = emit.compare(Order::Eq, r, q, zero);
        emit.select(p0, q0, p0)
    };
    let exponent_zero = both_zero(emit, u, v);
    let base_zero = both_zero(emit, x, y);

    // The integer exponents: |u| < 100 and u integral, v == 0.
    let hundred = emit.constant(r, 100.0);
    let m = emit.primitive(Primitive::Fabs, r, &[u]);
    let small = emit.compare(Order::Lt, r, m, hundred);
    let whole = emit.primitive(Primitive::Trunc, r, &[u]);
    let integral = emit.compare(Order::Eq, r, whole, u);
    let v0 = emit.compare(Order::Eq, r, v, zero);
    let integer = emit.select(small, integral, small);
    let integer = emit.select(integer, v0, integer);
    let multiplied = integer_power(emit, d, a, u, m);
    let negative = emit.compare(Order::Lt, r, u, zero);
    let one = emit.constant(d, 1.0);
    let inverse = divide(emit, d, one, multiplied);
    let multiplied = emit.select(negative, inverse, multiplied);

    let general = emit.complex_call(ComplexFn::Pow, d, &[a, b]);
    let nan = emit.constant(r, f64::NAN);
    let cnan = emit.complex(d, nan, nan);
    let czero = emit.constant(d, 0.0);
    let u_positive = emit.compare(Order::Gt, r, u, zero);
    let of_zero = emit.select(u_positive, czero, cnan);
    let result = emit.select(integer, multiplied, general);
    let result = emit.select(base_zero, of_zero, result);
    emit.select(exponent_zero, one, result)
}

/// `a ** b` of complex numbers as CPython's `complex.__pow__`: 1 for `b == 0`;
/// NaN for `a == 0` and `b.real < 0` or `b.imag != 0` (where CPython raises
/// `ZeroDivisionError`, which the caller checks); a real integer `b` with
/// `|b| <= 100` multiplied out by squaring from 1 (`c_powu`), through
/// CPython's division (`_Py_c_quot`) for a negative one; every other `b` in
/// polar form (`_Py_c_pow`). CPython's other errors come from the C
/// library's `errno` (`OverflowError` for an infinite part, `ZeroDivisionError`
/// for an infinite angle): the IEEE result is kept instead, as float powers
/// and `math` functions keep theirs.
pub fn python_power(emit: &mut dyn Emit, d: Dtype, a: Value, b: Value) -> Value {
    let r = d.real();
    let (x, y) = emit.parts(a);
    let (u, v) = emit.parts(b);
    let zero = emit.constant(r, 0.0);
    let is_zero = |emit: &mut dyn Emit, p: Value| emit.compare(Order::Eq, r, p, zero);
    let (u0, v0) = (is_zero(emit, u), is_zero(emit, v));
    let exponent_zero = emit.select(u0, v0, u0);
    let (x0, y0) = (is_zero(emit, x), is_zero(emit, y));
    let base_zero = emit.select(x0, y0, x0);

    // c_powi: u integral, |u| <= 100, v == 0.
    let hundred = emit.constant(r, 100.0);
    let m = emit.primitive(Primitive::Fabs, r, &[u]);
    let small = emit.compare(Order::Le, r, m, hundred);
    let floor = emit.primitive(Primitive::Floor, r, &[u]);
    let integral = emit.compare(Order::Eq, r, floor, u);
    let integer = emit.select(small, integral, small);
    let integer = emit.select(integer, v0, integer);
    let powered = by_squaring(emit, d, a, m);
    let one = emit.constant(d, 1.0);
    let inverse = emit.arith(Arith::Div, d, one, powered);
    let negative = emit.compare(Order::Lt, r, u, zero);
    let integer_result = emit.select(negative, inverse, powered);

    // _Py_c_pow: |a| ** u / exp(arg(a) v) at angle arg(a) u + v log|a|; the
    // v terms only when v != 0 (0 * log(0) would be NaN).
    let vabs = emit.primitive(Primitive::Hypot, r, &[x, y]);
    let len = emit.primitive(Primitive::Pow, r, &[vabs, u]);
    let at = emit.primitive(Primitive::Atan2, r, &[y, x]);
    let phase = emit.arith(Arith::Mul, r, at, u);
    let atv = emit.arith(Arith::Mul, r, at, v);
    let e = emit.primitive(Primitive::Exp, r, &[atv]);
    let len_v = emit.arith(Arith::Div, r, len, e);
    let log = emit.primitive(Primitive::Log, r, &[vabs]);
    let vlog = emit.arith(Arith::Mul, r, v, log);
    let phase_v = emit.arith(Arith::Add, r, phase, vlog);
    let len = emit.select(v0, len, len_v);
    let phase = emit.select(v0, phase, phase_v);
    let cos = emit.primitive(Primitive::Cos, r, &[phase]);
    let sin = emit.primitive(Primitive::Sin, r, &[phase]);
    let re = emit.arith(Arith::Mul, r, len, cos);
    let im = emit.arith(Arith::Mul, r, len, sin);
    let polar = emit.complex(d, re, im);

    // A zero base: the polar form's 0, or NaN where CPython raises.
    let czero = emit.constant(d, 0.0);
    let polar = emit.select(base_zero, czero, polar);
    let result = emit.select(integer, integer_result, polar);
    let nan = emit.constant(r, f64::NAN);
    let cnan = emit.complex(d, nan, nan);
    let u_negative = emit.compare(Order::Lt, r, u, zero);
    let real_of_zero = emit.select(u_negative, cnan, result);
    let of_zero = emit.select(v0, real_of_zero, cnan);
    let result = emit.select(base_zero, of_zero, result);
    emit.select(exponent_zero, one, result)
}

/// `a ** m` for the integer `m` (a float, `0 <= m <= 100`; other values
/// give an unused result) as CPython's `c_powu`: from 1, multiplied by
/// `a`, `a a`, `(a a)(a a)`... for each bit of `m`.
fn by_squaring(emit: &mut dyn Emit, d: Dtype, a: Value, m: Value) -> Value {
    let r = d.real();
    let half = emit.constant(r, 0.5);
    let two = emit.constant(r, 2.0);
    let zero = emit.constant(r, 0.0);
    let mut acc = emit.constant(d, 1.0);
    let mut p = a;
    let mut rest = m;
    // Bit k of m is floor(m / 2^k) - 2 floor(m / 2^(k+1)), exact in floats.
    for _ in 0..7 {
        let halved = emit.arith(Arith::Mul, r, rest, half);
        let next = emit.primitive(Primitive::Floor, r, &[halved]);
        let twice = emit.arith(Arith::Mul, r, next, two);
        let low = emit.arith(Arith::Sub, r, rest, twice);
        let bit = emit.compare(Order::Ne, r, low, zero);
        let with = emit.arith(Arith::Mul, d, acc, p);
        acc = emit.select(bit, with, acc);
        p = emit.arith(Arith::Mul, d, p, p);
        rest = next;
    }
    acc
}

/// `a ** |n|` for the integer `n` (a float, `0 < |n| < 100`, `m = |n|`;
/// other values give an unused result), as `npy_cpow` multiplies: `a`,
/// `a a`, `a (a a)` for `n` = 1, 2, 3 (not -1, -2, -3), else by squaring
/// from 1 (whose products make NaNs of infinite parts where the unrolled ones
/// do not).
fn integer_power(emit: &mut dyn Emit, d: Dtype, a: Value, n: Value, m: Value) -> Value {
    let r = d.real();
    let mul = |emit: &mut dyn Emit, p: Value, q: Value| emit.arith(Arith::Mul, d, p, q);
    let is = |emit: &mut dyn Emit, k: f64| {
        let k = emit.constant(r, k);
        emit.compare(Order::Eq, r, n, k)
    };
    let square = mul(emit, a, a);
    let cube = mul(emit, a, square);
    let acc = by_squaring(emit, d, a, m);
    let is_three = is(emit, 3.0);
    let result = emit.select(is_three, cube, acc);
    let is_two = is(emit, 2.0);
    let result = emit.select(is_two, square, result);
    let is_one = is(emit, 1.0);
    emit.select(is_one, a, result)
}

/// `a / b` as NumPy's division loop of arrays and npymath's `cdiv` (which
/// `npy_cpow` takes for negative powers): scaled by the reciprocal of the
/// larger part of `b` (CPython divides by it instead); a zero `b` gives
/// `(re a / |re b|, im a / |im b|)`, infinities or NaNs.
pub fn divide(emit: &mut dyn Emit, d: Dtype, a: Value, b: Value) -> Value {
    let r = d.real();
    let (ar, ai) = emit.parts(a);
    let (br, bi) = emit.parts(b);
    let one = emit.constant(r, 1.0);
    let zero = emit.constant(r, 0.0);
    let abr = emit.primitive(Primitive::Fabs, r, &[br]);
    let abi = emit.primitive(Primitive::Fabs, r, &[bi]);
    let by_re = emit.compare(Order::Ge, r, abr, abi);
    let re_zero = emit.compare(Order::Eq, r, abr, zero);
    let im_zero = emit.compare(Order::Eq, r, abi, zero);
    let by_zero = emit.select(re_zero, im_zero, re_zero);
    let f = |emit: &mut dyn Emit, op: Arith, p: Value, q: Value| emit.arith(op, r, p, q);
    // |br| >= |bi|: t = bi / br, s = 1 / (br + bi t).
    let t = f(emit, Arith::Div, bi, br);
    let bit = f(emit, Arith::Mul, bi, t);
    let den = f(emit, Arith::Add, br, bit);
    let s = f(emit, Arith::Div, one, den);
    let ait = f(emit, Arith::Mul, ai, t);
    let n = f(emit, Arith::Add, ar, ait);
    let re_r = f(emit, Arith::Mul, n, s);
    let art = f(emit, Arith::Mul, ar, t);
    let n = f(emit, Arith::Sub, ai, art);
    let im_r = f(emit, Arith::Mul, n, s);
    // Else: t = br / bi, s = 1 / (bi + br t).
    let t = f(emit, Arith::Div, br, bi);
    let brt = f(emit, Arith::Mul, br, t);
    let den = f(emit, Arith::Add, bi, brt);
    let s = f(emit, Arith::Div, one, den);
    let art = f(emit, Arith::Mul, ar, t);
    let n = f(emit, Arith::Add, art, ai);
    let re_i = f(emit, Arith::Mul, n, s);
    let ait = f(emit, Arith::Mul, ai, t);
    let n = f(emit, Arith::Sub, ait, ar);
    let im_i = f(emit, Arith::Mul, n, s);
    // A zero divisor.
    let re_0 = f(emit, Arith::Div, ar, abr);
    let im_0 = f(emit, Arith::Div, ai, abi);
    let re = emit.select(by_re, re_r, re_i);
    let im = emit.select(by_re, im_r, im_i);
    let re = emit.select(by_zero, re_0, re);
    let im = emit.select(by_zero, im_0, im);
    emit.complex(d, re, im)
}
