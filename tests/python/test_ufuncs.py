"""NumPy's operator ufuncs as functions (`np.add(a, b)` is `a + b`, fused alike),
`logical_*`, integer powers of arrays, and every ufunc's `out=`, against NumPy
(`f.py_func`)."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit
from ferrojit._native import live_buffers

INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FLOATS = [np.float32, np.float64]


def same(got, want):
    assert type(got) is type(want) or np.isscalar(got) and np.isscalar(want), (got, want)
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        assert got.shape == want.shape
        single = want.dtype in (np.float32, np.complex64)
        np.testing.assert_allclose(got, want, rtol=1e-6 if single else 1e-14, equal_nan=True)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-14, equal_nan=True)


def check(f, *args):
    with np.errstate(all="ignore"):
        want = f.py_func(*args)
        got = f(*args)
    same(got, want)


def raises_like(f, *args):
    """The exception NumPy raises for `f.py_func(*args)`, type and message."""
    with pytest.raises(Exception) as want:
        f.py_func(*args)
    with pytest.raises(want.type) as got:
        f(*args)
    assert str(got.value) == str(want.value)


@jit
def arithmetic(a, b):
    return (np.add(a, b), np.subtract(a, b), np.multiply(a, b), np.divide(a, b),
            np.true_divide(a, b), np.floor_divide(a, b), np.remainder(a, b), np.mod(a, b))


@jit
def comparisons(a, b):
    return (np.equal(a, b), np.not_equal(a, b), np.less(a, b), np.less_equal(a, b),
            np.greater(a, b), np.greater_equal(a, b))


@jit
def logical(a, b):
    return (np.logical_and(a, b), np.logical_or(a, b), np.logical_xor(a, b),
            np.logical_not(a))


@jit
def bitwise(a, b):
    return (np.bitwise_and(a, b), np.bitwise_or(a, b), np.bitwise_xor(a, b), np.invert(a),
            np.bitwise_not(b))


@jit
def fused(a, b):
    return np.sqrt(np.add(np.multiply(a, a), np.power(b, 2.0)))


def tuples(f, *args):
    with np.errstate(all="ignore"):
        want = f.py_func(*args)
        got = f(*args)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        same(g, w)


@pytest.mark.parametrize("dtype", INTS + FLOATS)
def test_arithmetic_ufuncs_are_the_operators(dtype):
    rng = np.random.default_rng(1)
    a = (rng.random(7) * 50 + 1).astype(dtype)
    b = (rng.random(7) * 9 + 1).astype(dtype)
    tuples(arithmetic, a, b)
    tuples(comparisons, a, b)
    tuples(logical, a, b)
    tuples(arithmetic, a, dtype(3))


def test_mixed_dtypes_broadcasting_layouts_and_empty():
    rng = np.random.default_rng(2)
    m = rng.random((4, 6))
    f = np.asfortranarray(m)
    v = np.arange(6, dtype=np.int32) + 1
    tuples(arithmetic, m, v)
    tuples(arithmetic, f[::-1, ::2], v[::2])
    tuples(comparisons, m, 0.5)
    tuples(logical, m - 0.5, v)
    tuples(arithmetic, np.empty((0, 3)), np.ones(3))
    tuples(logical, np.array([np.nan, 0.0, -0.0, 2.0]), 0.0)
    tuples(logical, np.array([1 + 0j, 0j, 1j]), np.array([True, False, True]))


def test_numbers_follow_the_operators_rules():
    # On two numbers `np.add(x, y)` is `x + y` (docs/language.md).
    tuples(arithmetic, 7.5, 2.0)
    tuples(comparisons, 3, 4.0)
    assert logical(2.0, 0) == logical.py_func(2.0, 0)


@pytest.mark.parametrize("dtype", [np.bool_] + INTS)
def test_bitwise_ufuncs(dtype):
    a = np.array([0, 1, 5, 7, 2, 1]).astype(dtype)
    b = np.array([1, 1, 3, 0, 2, 0]).astype(dtype)
    tuples(bitwise, a, b)


def test_a_fused_ufunc_expression_makes_no_temporary():
    x = np.linspace(-1, 1, 11)
    check(fused, x, x[::-1])
    before = live_buffers()
    fused(x, x)
    assert live_buffers() == before


@jit
def int_power(a, b):
    return np.power(a, b), a ** b


@jit
def square_literal(a):
    return a ** 3


@pytest.mark.parametrize("dtype", INTS)
def test_integer_powers_of_arrays(dtype):
    a = np.array([0, 1, 2, 3, 5, 7]).astype(dtype)
    b = np.array([3, 0, 5, 2, 1, 4]).astype(dtype)
    tuples(int_power, a, b)
    tuples(int_power, a, dtype(2))
    check(square_literal, a)
    # Wraps as NumPy's loop does.
    tuples(int_power, a + dtype(100), dtype(9))


def test_negative_integer_powers_raise_numpys_error():
    raises_like(int_power, np.arange(3), -1)
    raises_like(int_power, np.arange(3), np.array([1, -2, 0]))


@jit
def add_power_in_place(a, k):
    a **= k
    return a


def test_integer_power_in_place():
    check(add_power_in_place, np.arange(5, dtype=np.int32), 3)


@jit
def sqrt_out(x, y):
    return np.sqrt(x, out=y)


@jit
def add_out(a, b, c):
    r = np.add(a, b, out=c)
    return r


@jit
def add_out_positional(a, b, c):
    np.add(a, b, c)
    return c


@jit
def less_out(a, b, c):
    return np.less(a, b, out=c)


@jit
def invert_out(a, c):
    return np.invert(a, out=c)


@jit
def expr_out(a, b, c):
    return np.multiply(a + 1.0, np.sqrt(b), out=c)


@jit
def out_none(a, b):
    return np.add(a, b, out=None)


@jit
def is_out(a, b, c):
    return np.add(a, b, out=c) is None


def test_out_is_written_and_returned():
    x = np.linspace(0, 4, 5)
    y = np.empty(5)
    r = sqrt_out(x, y)
    assert r is y
    np.testing.assert_array_equal(y, np.sqrt(x))
    a, b = np.arange(6.0).reshape(2, 3), np.arange(3.0)
    c = np.zeros((2, 3))
    assert add_out(a, b, c) is c
    np.testing.assert_array_equal(c, a + b)
    c2 = np.zeros((2, 3))
    assert add_out_positional(a, b, c2) is c2
    np.testing.assert_array_equal(c2, a + b)
    m = np.zeros((2, 3), bool)
    less_out(a, b, m)
    np.testing.assert_array_equal(m, a < b)
    i = np.empty(4, np.int16)
    invert_out(np.arange(4, dtype=np.int16), i)
    np.testing.assert_array_equal(i, ~np.arange(4, dtype=np.int16))
    np.testing.assert_array_equal(out_none(a, b), a + b)


def test_out_views_strides_casting_and_numbers():
    a = np.arange(12.0).reshape(3, 4)
    want = np.zeros((3, 8))
    got = np.zeros((3, 8))
    expr_out.py_func(a, a, want[:, ::2])
    expr_out(a, a, got[:, ::2])
    np.testing.assert_allclose(got, want, rtol=1e-15)
    # same_kind: float64 into float32, int8 into int64, bool into float.
    for c in (np.zeros(3, np.float32), np.zeros(3, np.float64)):
        add_out(np.arange(3.0), 0.5, c)
        np.testing.assert_array_equal(c, np.arange(3.0) + 0.5)
    c = np.zeros(3, np.int64)
    add_out(np.arange(3, dtype=np.int8), np.int8(1), c)
    np.testing.assert_array_equal(c, [1, 2, 3])
    # A number broadcast into the output.
    y = np.empty(4)
    sqrt_out(2.0, y)
    np.testing.assert_array_equal(y, np.sqrt(2.0))
    c = np.zeros(3, np.int8)
    add_out(1, 2, c)
    np.testing.assert_array_equal(c, [3, 3, 3])


def test_out_overlapping_its_inputs_gives_numpys_result():
    for f, args in ((add_out, lambda a: (a[1:], a[:-1], a[:-1])),
                    (add_out, lambda a: (a[:-1], a[1:], a[1:])),
                    (expr_out, lambda a: (a[::-1], a, a))):
        want = np.arange(8.0)
        got = np.arange(8.0)
        f.py_func(*args(want))
        f(*args(got))
        np.testing.assert_array_equal(got, want)


def test_out_shape_errors_are_numpys():
    raises_like(add_out, np.ones(3), np.ones(3), np.ones(4))
    raises_like(add_out, np.ones(4), 1.0, np.ones(3))
    raises_like(add_out, np.ones((2, 3)), 1.0, np.ones(3))
    raises_like(add_out, np.ones(3), np.ones(4), np.ones(3))
    raises_like(sqrt_out, np.ones(3), np.ones(4))
    raises_like(sqrt_out, np.ones((1, 3)), np.ones(3))


def test_out_casting_and_types_are_checked_at_compile_time():
    with pytest.raises(ferrojit.TypingError) as info:
        add_out(np.ones(3), np.ones(3), np.zeros(3, np.int64))
    with pytest.raises(Exception) as want:
        add_out.py_func(np.ones(3), np.ones(3), np.zeros(3, np.int64))
    assert str(want.value) in str(info.value)
    assert "E0218" in str(info.value)
    with pytest.raises(ferrojit.TypingError, match=r"E0240\]: the output of `np.sqrt` must be an array"):
        sqrt_out(np.ones(3), 5.0)
    g = np.ones(3)
    g.flags.writeable = False
    with pytest.raises(ferrojit.TypingError, match="E0217"):
        sqrt_out(np.ones(3), g)


def test_where_takes_no_out_and_a_wrong_call_is_reported():
    @jit
    def where_out(c, a, b, o):
        return np.where(c, a, b, o)

    with pytest.raises(ferrojit.TypingError, match="`np.where` takes 3 arguments but 4 were given"):
        where_out(np.ones(3) > 0, 1.0, 2.0, np.ones(3))

    @jit
    def add_one(a):
        return np.add(a)

    with pytest.raises(ferrojit.TypingError, match="`np.add` takes 2 arguments but 1 were given"):
        add_one(np.ones(3))


def test_out_frees_no_buffer_it_does_not_own():
    a = np.ones(5)
    c = np.empty(5)
    before = live_buffers()
    for _ in range(3):
        add_out(a, a, c)
        expr_out(a, a, c)
    assert live_buffers() == before


@jit
def float32_math(x):
    # Each function of the argument and of the same number written as a constant,
    # which LLVM could fold (in double precision, rounded once) if it were let.
    c = np.float32(0.5)
    return (np.cosh(x), np.cosh(c), np.sinh(x), np.sinh(c), np.tanh(x), np.tanh(c),
            np.tan(x), np.tan(c), np.arcsin(x), np.arcsin(c), np.arccos(x), np.arccos(c),
            np.arctan(x), np.arctan(c), np.arcsinh(x), np.arcsinh(c), np.arctanh(x),
            np.arctanh(c), np.cbrt(x), np.cbrt(c), np.expm1(x), np.expm1(c), np.log1p(x),
            np.log1p(c), np.log10(x), np.log10(c), np.log2(x), np.log2(c), np.exp2(x),
            np.exp2(c), np.exp(x), np.exp(c), np.log(x), np.log(c), np.sin(x), np.sin(c),
            np.cos(x), np.cos(c), np.arccosh(x + np.float32(1.0)),
            np.arccosh(c + np.float32(1.0)), np.cosh(np.float32(1.0)))


def test_float32_functions_of_constants_are_numpys():
    """Fuzz finding 95:1740: `np.cosh(np.float32(1.0))` written as a constant gave
    1.5430807 (LLVM's fold), of an argument 1.5430806 (glibc's coshf, as NumPy). float32
    functions are the C library's float ones whether the argument is known or not: NumPy's
    own results exactly where its loops call them too (all but sin, cos, exp, log, tanh,
    which NumPy computes in its own SIMD code; those are within an ulp of it)."""
    x = np.float32(0.5)
    got = [np.float32(v) for v in float32_math(x)]
    want = [np.float32(v) for v in float32_math.py_func(x)]
    own_simd = {"tanh", "exp", "log", "sin", "cos"}
    names = ["cosh", "sinh", "tanh", "tan", "arcsin", "arccos", "arctan", "arcsinh", "arctanh",
             "cbrt", "expm1", "log1p", "log10", "log2", "exp2", "exp", "log", "sin", "cos",
             "arccosh"]
    for k, name in enumerate(names):
        of_arg, of_const = got[2 * k], got[2 * k + 1]
        assert of_arg.tobytes() == of_const.tobytes(), (name, of_arg, of_const)
        if name in own_simd:
            assert abs(int(of_arg.view(np.int32)) - int(want[2 * k].view(np.int32))) <= 1, name
        else:
            assert of_arg == want[2 * k], (name, of_arg, want[2 * k])
    assert got[-1] == np.cosh(np.float32(1.0)) == np.float32(1.5430806)


# Each its own function: LLVM 19's InstCombine miscompiled a single use of
# `np.maximum(abs(x), 0)` into `x > 0 ? abs(x) : 0` (fuzz finding 112:10688).
@jit
def max_abs_zero(x, y):
    return np.maximum(abs(x), 0)


@jit
def max_abs_minus_zero(x, y):
    return np.maximum(abs(x), -0.0)


@jit
def max_abs_y(x, y):
    return np.maximum(abs(x), y)


@jit
def min_minus_abs_zero(x, y):
    return np.minimum(-abs(x), 0.0)


@jit
def fmax_abs_zero(x, y):
    return np.fmax(abs(x), 0.0)


@jit
def builtin_max_abs_zero(x, y):
    return max(abs(x), 0.0)


@jit
def max_abs_zero_array(x, y):
    return np.maximum(np.abs(np.array([x, y])), 0.0)


SPECIAL = [0.0, -0.0, 2.0, -2.0, -1e308, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("f", [max_abs_zero, max_abs_minus_zero, max_abs_y, min_minus_abs_zero,
                               fmax_abs_zero, builtin_max_abs_zero, max_abs_zero_array])
def test_minimum_and_maximum_of_an_absolute_value_are_numpys(f):
    for x in SPECIAL:
        for y in SPECIAL:
            got, want = np.asarray(f(x, y)), np.asarray(f.py_func(x, y))
            assert got.tobytes() == want.tobytes(), (x, y, got, want)
