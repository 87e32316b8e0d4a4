"""Complex functions at special values (infinite, NaN, signed zero and huge
parts) give NumPy's results, which are C99 Annex G's as glibc computes them:
every pair of parts from {0, -0, 1, -1, inf, -inf, nan} and a few large finite
ones, complex128 and complex64, numbers and arrays, against `f.py_func`."""

import itertools
import math

import numpy as np
import pytest

from ferrojit import jit

PARTS = [0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 710.0, -710.0, 1e308, 89.0, 1e38]
VALUES = [complex(x, y) for x, y in itertools.product(PARTS, PARTS)]
# Exponents of `z ** w`: integers NumPy multiplies out, others it gives glibc's cpow.
EXPONENTS = [complex(x, y) for x, y in itertools.product(
    [0.0, -0.0, 1.0, -1.0, 2.0, 3.0, -2.0, 0.5, 100.0, math.inf, -math.inf, math.nan],
    [0.0, -0.0, 1.0, math.inf, math.nan])]

UNARY = {
    "exp": lambda z: np.exp(z),
    "exp2": lambda z: np.exp2(z),
    "log": lambda z: np.log(z),
    "log2": lambda z: np.log2(z),
    "log10": lambda z: np.log10(z),
    "sqrt": lambda z: np.sqrt(z),
    "sin": lambda z: np.sin(z),
    "cos": lambda z: np.cos(z),
    "tan": lambda z: np.tan(z),
    "sinh": lambda z: np.sinh(z),
    "cosh": lambda z: np.cosh(z),
    "tanh": lambda z: np.tanh(z),
    "square": lambda z: np.square(z),
    "reciprocal": lambda z: np.reciprocal(z),
    "absolute": lambda z: np.absolute(z),
    "angle": lambda z: np.angle(z),
    "square_op": lambda z: z ** 2,
    "cube_op": lambda z: z ** 3,
    "inverse_op": lambda z: z ** -1,
}
JITTED = {name: jit(f) for name, f in UNARY.items()}
# NumPy numbers' `0 ** -1` is NaN where CPython's complex numbers raise: the
# powers of numbers are compared under NumPy's error model.
NUMBERS = {name: jit(f, error_model="numpy") if name.endswith("_op") else JITTED[name]
           for name, f in UNARY.items()}


@jit
def power(z, w):
    return z ** w


@jit
def np_power(z, w):
    return np.power(z, w)


# NumPy numbers: NumPy's NaN for a zero base where CPython's complex numbers raise.
@jit(error_model="numpy")
def numpy_model_power(z, w):
    return z ** w


@jit(error_model="numpy")
def numpy_model_np_power(z, w):
    return np.power(z, w)


@jit
def times(z, w):
    return z * w


@jit
def divide(z, w):
    return z / w


def same(got, want, ulps):
    """Bit-exact NaN-ness and signs of zeros and infinities; finite parts
    within `ulps` units in the last place of NumPy's."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape
    parts = [(got.real, want.real), (got.imag, want.imag)] if want.dtype.kind == "c" else [(got, want)]
    for g, w in parts:
        for a, b in zip(g.ravel(), w.ravel()):
            if np.isnan(b):
                assert np.isnan(a), (a, b)
            elif np.isinf(b) or b == 0:
                assert a == b and np.signbit(a) == np.signbit(b), (a, b)
            else:
                assert abs(a - b) <= ulps * np.spacing(abs(b)), (a, b)


def scalars(dtype, values):
    # A complex64 array's elements are NumPy's complex64 scalars, which the
    # dispatcher passes as complex64 numbers.
    return list(np.array(values, dtype))


def cpython(f, *args):
    """`f` of Python complex numbers under ferrojit's documented exceptions to CPython
    (docs/language.md): where CPython raises OverflowError (a part is infinite) or its
    ZeroDivisionError for a nonzero base (the C library's domain error for an infinite
    angle), the IEEE result is kept, so only its infinite or NaN part is known; a zero base
    that raises is NaN under error_model="numpy". None where the result is only partly known."""
    try:
        return f(*(complex(a) for a in args))
    except OverflowError:
        return None
    except ZeroDivisionError:
        return complex(math.nan, math.nan) if args[0] == 0 else None


def check_number(got, want, ulps, how):
    """A complex128 number's `**` against CPython's; others against NumPy's."""
    if want is None:
        got = complex(got)
        assert not (math.isfinite(got.real) and math.isfinite(got.imag)), how
        return
    same(np.asarray(got, np.asarray(want).dtype), np.asarray(want), ulps)


def check_unary(name, dtype, ulps=4):
    f = JITTED[name]
    values = np.array(VALUES, dtype)
    with np.errstate(all="ignore"):
        same(f(values), f.py_func(values), ulps)
        f = NUMBERS[name]
        for z in scalars(dtype, VALUES):
            if name.endswith("_op") and dtype == np.complex128:
                check_number(f(z), cpython(f.py_func, z), 0, f"{name}({z!r}): {f(z)!r}")
                continue
            want = np.asarray(f.py_func(z))
            try:
                same(np.asarray(f(z), want.dtype), want, ulps)
            except AssertionError as e:
                raise AssertionError(f"{name}({z!r}): {f(z)!r}, NumPy {want!r}") from e


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_functions_at_special_values(name, dtype):
    check_unary(name, dtype)


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
@pytest.mark.parametrize("f, g", [(power, numpy_model_power), (np_power, numpy_model_np_power)],
                         ids=["op", "np"])
def test_powers_at_special_values(f, g, dtype):
    z = np.array([v for v in VALUES for _ in EXPONENTS], dtype)
    w = np.array([e for _ in VALUES for e in EXPONENTS], dtype)
    with np.errstate(all="ignore"):
        same(f(z, w), f.py_func(z, w), 8)
        for a, b in zip(scalars(dtype, z[::7]), scalars(dtype, w[::7])):
            if dtype == np.complex128:
                # np.power of two numbers is their `**` (docs/language.md).
                want = cpython(lambda z, w: z ** w, a, b)
                check_number(g(a, b), want, 0, f"{a!r} ** {b!r}: {g(a, b)!r}")
                continue
            want = np.asarray(g.py_func(a, b))
            same(np.asarray(g(a, b), want.dtype), want, 8)


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
@pytest.mark.parametrize("f", [times, divide])
def test_arithmetic_of_arrays_at_special_values(f, dtype):
    z = np.array([v for v in VALUES for _ in VALUES], dtype)
    w = np.array([v for _ in VALUES for v in VALUES], dtype)
    with np.errstate(all="ignore"):
        same(f(z, w), f.py_func(z, w), 2)


def test_exp_of_infinities_and_nans_examples():
    # The examples that were wrong: textbook formulas give nan + nan j, inf + nan j.
    with np.errstate(all="ignore"):
        assert repr(JITTED["exp"](complex(math.inf, math.inf))) == "(inf+nanj)"
        assert JITTED["sqrt"](complex(math.inf, math.inf)) == complex(math.inf, math.inf)
        assert JITTED["tanh"](complex(math.inf, 1.0)) == 1.0


@jit
def python_power(z, w):
    return z ** w


@jit(error_model="numpy")
def numpy_power(z, w):
    return z ** w


@pytest.mark.parametrize("w", [complex(-1, 0), complex(-1.5, 0), complex(1, 1), complex(0, -1),
                               complex(2, math.nan)])
def test_zero_to_a_negative_or_complex_power_raises_as_cpython(w):
    """... and is NaN under error_model="numpy" (NumPy's npy_cpow gives 0 for w.real > 0)."""
    with pytest.raises(ZeroDivisionError, match="^0.0 to a negative or complex power$"):
        python_power.py_func(0j, w)
    with pytest.raises(ZeroDivisionError, match="^0.0 to a negative or complex power$"):
        python_power(0j, w)
    same(np.asarray(numpy_power(0j, w)), np.asarray(complex(math.nan, math.nan)), 0)


def test_zero_to_a_nonnegative_real_power_does_not_raise():
    for w in [0j, complex(2, 0), complex(0.5, 0), complex(3, -0.0)]:
        same(np.asarray(python_power(0j, w)), np.asarray(python_power.py_func(0j, w)), 0)


# NumPy's complex multiply loops (`*`, `np.multiply`, `np.square` of arrays)
# fuse a multiply-add on CPUs with AVX2 and FMA (x86-64-v3), which changes the
# last bit of many products and the overflow of some: ferrojit's array loops
# are NumPy's bit for bit, and numbers keep CPython's plain product.
RANDOM = np.random.default_rng(7)


def random_complex(n, dtype):
    parts = RANDOM.uniform(-1, 1, (2, n)) * 10.0 ** RANDOM.integers(-3, 4, (2, n))
    return (parts[0] + 1j * parts[1]).astype(dtype)


@jit
def square_fn(z):
    return np.square(z)


@jit
def power_fn(z):
    return np.power(z, 2)


@jit
def multiply_fn(z, w):
    return np.multiply(z, w)


@jit
def scaled(z, w):
    return z * w[0]


# A known difference, a strict xfail so that a fix shows (docs/language.md
# says it): NumPy's complex64 multiply of an operand with a negative stride
# is its plain loop (complex128 and positive strides are fused).
NEGATIVE_COMPLEX64 = pytest.mark.xfail(
    reason="NumPy multiplies complex64 operands of negative stride unfused", strict=True)


@pytest.mark.parametrize("dtype, step", [
    (np.complex128, 1), (np.complex128, 3), (np.complex128, -2),
    (np.complex64, 1), (np.complex64, 3),
    pytest.param(np.complex64, -2, marks=NEGATIVE_COMPLEX64),
])
def test_complex_products_of_arrays_are_numpys_bit_for_bit(dtype, step):
    z = random_complex(1003, dtype)[::step]
    w = random_complex(1003, dtype)[::step]
    for f, args in [(times, (z, w)), (multiply_fn, (z, w)), (scaled, (z, w)),
                    (square_fn, (z,)), (JITTED["square_op"], (z,)), (power_fn, (z,))]:
        got, want = f(*args), f.py_func(*args)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want, err_msg=f.py_func.__name__)


def test_fused_products_differ_from_the_plain_formula():
    # Checks that the comparison above can fail: NumPy's `*` of these arrays
    # is not the plain product (nor is ours), while `np.power(z, 2)`
    # (npy_cpow) and the numbers' `*` are.
    z = random_complex(1000, np.complex128)
    w = random_complex(1000, np.complex128)
    plain = np.array([complex(a) * complex(b) for a, b in zip(z, w)])
    assert (times(z, w) != plain).any()
    assert [times(complex(a), complex(b)) for a, b in zip(z, w)] == list(plain)
    plain_squares = np.array([complex(a) * complex(a) for a in z])
    np.testing.assert_array_equal(power_fn(z), plain_squares)


def test_square_of_a_huge_complex64_overflows_as_numpys():
    z = np.array([1e38 + 1e38j, 3e38 - 2e38j, 1e-30 + 1e30j], np.complex64)
    with np.errstate(all="ignore"):
        same(square_fn(z), np.square(z), 0)
        same(JITTED["square_op"](z), z ** 2, 0)
        same(times(z, z), z * z, 0)


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_np_multiply_of_numbers_is_numpys_loop_and_star_cpythons(dtype):
    # NumPy's ufunc runs its array loop on numbers too (fused where the CPU
    # has FMA); `*` of numbers is CPython's (NumPy's scalars': the same) plain product.
    z = random_complex(300, dtype)
    w = random_complex(300, dtype)
    for a, b in zip(z, w):
        assert multiply_fn(a, b) == np.multiply(a, b)
        assert times(a, b) == a * b


def test_powers_of_numbers_are_cpythons():
    """complex128 numbers' `**` is CPython's (`c_powu` from 1, `_Py_c_quot`, the polar
    form), bit for bit, with docs/language.md's exceptions (`cpython` above); complex64
    numbers, having no Python type, keep NumPy's."""
    parts = [0.0, -0.0, 1.0, -1.0, 0.5, -3.0, 1e-200, 1e200, math.inf, -math.inf, math.nan]
    exponents = [complex(x, y) for x in parts + [2.0, 3.0, 100.0, 101.0, -100.0, 7.25]
                 for y in [0.0, -0.0, 1.0, math.nan]]
    for z in (complex(x, y) for x in parts for y in parts):
        for w in exponents:
            try:
                want = z ** w
            except ZeroDivisionError:
                if z == 0:  # CPython's own error, raised as CPython raises it
                    with pytest.raises(ZeroDivisionError, match="^0.0 to a negative or complex power$"):
                        python_power(z, w)
                    continue
            except OverflowError:
                pass
            got = python_power(z, w)
            check_number(got, cpython(pow, z, w), 0, f"{z!r} ** {w!r}: {got!r}")
    # Exact where npy_cpow is not: its unrolled cube and its division round differently.
    assert python_power(2 + 3j, -2) == (2 + 3j) ** -2
    assert math.isnan(python_power(complex(math.inf, 0), 2).real)  # npy_cpow: inf
