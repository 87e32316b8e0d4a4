"""Number semantics that must match CPython exactly (or a rule in docs/language.md)."""

import math

import numpy as np
import pytest

from ferrojit import jit


def outcome(f, *args):
    """The value (with the sign of a zero) or the exception type and message."""
    try:
        r = f(*args)
    except Exception as e:  # noqa: BLE001 - the exception is the outcome compared
        return type(e), str(e)
    if isinstance(r, float):
        return type(r), repr(r), math.copysign(1.0, r) if r == 0.0 else None
    return type(r), repr(r)


def same_as_python(f, *args):
    assert outcome(jit(f), *args) == outcome(f, *args), args


def floor_div(x, y):
    return x // y


def modulo(x, y):
    return x % y


SIGNED_ZERO_CASES = [(-0.0, 1.0), (0.0, -1.0), (-0.0, -1.0), (0.0, 1.0), (-1e-300, 1e300),
                     (1e-300, -1e300), (5.0, 2.5), (-5.0, 2.5), (7.5, -2.5), (-7.5, -2.5),
                     (1.0, math.inf), (-1.0, math.inf), (math.nan, 1.0), (1.0, 0.0)]


@pytest.mark.parametrize("x, y", SIGNED_ZERO_CASES)
def test_float_floor_division_and_modulo_keep_the_sign_of_zero(x, y):
    same_as_python(floor_div, x, y)
    same_as_python(modulo, x, y)


def remainders(a, b, out_mod, out_div):
    for i in range(a.shape[0]):
        if b[i] != 0.0:
            out_mod[i] = a[i] % b[i]
            out_div[i] = a[i] // b[i]


def random_floats(rng, n, dtype):
    """Arbitrary bit patterns: every exponent distance, subnormals, inf, NaN."""
    bits = {np.float64: np.uint64, np.float32: np.uint32}[dtype]
    info = np.iinfo(bits)
    return rng.integers(0, info.max, n, dtype=bits, endpoint=True).view(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_float_remainders_are_exact_to_the_bit(dtype):
    # The runtime's own exact fmod (x87 fprem) must give C's fmod bit for bit,
    # on scalars as CPython (loop elements of float64) and arrays as NumPy.
    rng = np.random.default_rng(7)
    a, b = random_floats(rng, 20_000, dtype), random_floats(rng, 20_000, dtype)
    got_mod, got_div = np.zeros_like(a), np.zeros_like(a)
    want_mod, want_div = np.zeros_like(a), np.zeros_like(a)
    with np.errstate(all="ignore"):
        jit(remainders)(a, b, got_mod, got_div)
        remainders(a, b, want_mod, want_div)
        assert got_mod.tobytes() == want_mod.tobytes()
        assert got_div.tobytes() == want_div.tobytes()
        arrays = jit(lambda a, b: (a % b, a // b))
        for got, want in zip(arrays(a, b), (a % b, a // b)):
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)
            same_nan = np.isnan(got) == np.isnan(want)
            assert same_nan.all()
            finite = ~np.isnan(want)
            assert (np.signbit(got[finite]) == np.signbit(want[finite])).all()


def power(x, y):
    return x ** y


def power_const(x):
    return x ** -1.0


@pytest.mark.parametrize("x, y", [(0.0, -1.0), (-0.0, -2.0), (0.0, -math.inf), (0.0, -0.5),
                                  (0.0, 0.0), (0.0, 1.0), (2.0, -1.0), (0.0, -2), (0, -1.0)])
def test_zero_to_a_negative_power_raises(x, y):
    same_as_python(power, x, y)
    same_as_python(power_const, x)


def test_zero_to_a_negative_power_is_inf_under_the_numpy_error_model():
    assert jit(error_model="numpy")(power)(0.0, -1.0) == math.inf


@jit
def powers_of_constants(i):
    """Exponents of a few known values: the powers are tabulated at compile time."""
    return (1.0001 ** (i % 13), (-2.5) ** (i % 5 - 2), 0.0 ** (i % 3), (-0.0) ** (i % 4),
            math.inf ** (i % 3 - 1), (-math.inf) ** (i % 4 - 2), math.nan ** (i % 2),
            1e-300 ** (i % 3), 0.1 ** (i % 16 - 15), (-1.0) ** (i % 7 - 3),
            # Past 2**53 the float exponent pow gets is rounded (2**53 + 1 is even there).
            (-1.0) ** (i % 3 + 9007199254740991))


def test_powers_of_constants_over_a_few_exponents_are_cpythons():
    for i in range(-40, 40):
        got, want = powers_of_constants(i), powers_of_constants.py_func(i)
        assert [repr(g) for g in got] == [repr(w) for w in want], i


def round_digits(x, n):
    return round(x, n)


ROUND_CASES = [(2.675, 2), (1e300, -400), (-1e300, -400), (1e300, 400), (15.0, -1), (25.0, -1),
               (25.000001, -1), (2.5, 0), (-0.4, 0), (-0.004, 2), (0.125, 2), (0.375, 2),
               (1.0000000000000002, 15), (123456.789, -3), (-45.0, -1), (-4.0, -1),
               (math.inf, 2), (-math.inf, -2), (math.nan, 1), (0.5, -1), (5e-324, 323),
               (5e-324, 400), (1.7976931348623157e308, -300), (999.5, 0), (0.1 + 0.2, 16)]


@pytest.mark.parametrize("x, n", ROUND_CASES)
def test_round_of_a_float_is_correctly_rounded(x, n):
    same_as_python(round_digits, x, n)


@pytest.mark.parametrize("x, n", [(5, -1), (15, -1), (25, -1), (-25, -1), (-26, -1), (7, 3),
                                  (2**62, -18), (-(2**62), -30), (123, 0), (True, 2)])
def test_round_of_an_int_is_an_int(x, n):
    same_as_python(round_digits, x, n)


def test_round_overflow_raises_overflow_error():
    same_as_python(round_digits, 1.7976931348623157e308, -308)


def test_round_of_float32_rounds_in_float32():
    # Scalar results come back as Python numbers, as from Numba.
    assert jit(round_digits)(np.float32(2.675), 2) == float(np.float32(2.67))


def equal(i, f):
    return i == f


def less(i, f):
    return i < f


def chain(a, i, b):
    return a <= i < b


def literal_equal(f):
    return f == 9007199254740993


BIG = [2**53 + 1, 2**53, 2**63 - 1, -(2**63), -(2**53) - 1, 3, -3, 0]
FLOATS = [2.0**53, 2.0**63, -(2.0**63), 2.0**64, -(2.0**53), 3.0, 2.5, -2.5, 0.0, -0.0,
          math.inf, -math.inf, math.nan]


@pytest.mark.parametrize("i", BIG)
def test_int_float_comparisons_are_exact(i):
    for f in FLOATS:
        for g in (equal, less):
            same_as_python(g, i, f)
            same_as_python(g, f, i)
        same_as_python(chain, f, i, math.inf)
    same_as_python(literal_equal, 2.0**53)


def test_uint64_float_comparisons_are_exact():
    for u in (np.uint64(2**64 - 1), np.uint64(2**63), np.uint64(2**53 + 1)):
        for f in (2.0**64, 2.0**63, 2.0**53, math.nan):
            assert jit(equal)(u, f) == (int(u) == f)
            assert jit(less)(u, f) == (int(u) < f)


def to_int(x):
    return int(x)


def to_int_const():
    return int(1e20)


def to_int8(x):
    return np.int8(x)


def test_float_to_int_out_of_range_is_the_documented_int64_min():
    f = jit(to_int)
    for x in (1e20, -1e20, math.inf, -math.inf, math.nan, 2.0**63):
        assert f(x) == -(2**63)
    assert f(-(2.0**63)) == -(2**63)
    assert f(2.0**62) == 2**62
    assert f(-2.5) == -2


def test_constant_folded_and_run_time_conversions_agree():
    assert jit(to_int_const)() == jit(to_int)(1e20)


def test_narrow_integer_conversions_wrap_from_int64():
    f = jit(to_int8)
    assert f(300.0) == np.int8(44)
    assert f(-1.5) == np.int8(-1)
    assert f(1e20) == np.int8(0)


def test_uint64_int_comparisons_are_exact():
    pairs = [(2**60 + 1, 2**60), (2**64 - 1, -1), (0, -1), (2**63, 2**63 - 1), (5, 5), (2**53 + 1, 2**53)]
    for u, i in pairs:
        for signed in (np.int64, np.int32, np.int8):
            if not np.iinfo(signed).min <= i <= np.iinfo(signed).max:
                continue
            a, b = np.uint64(u), signed(i)
            for f in (equal, less):
                assert jit(f)(a, b) == f(int(a), int(b)), (f.__name__, a, b)
                assert jit(f)(b, a) == f(int(b), int(a)), (f.__name__, b, a)


@jit
def int_of_element(a):
    return int(a[0]), int(a[0]) + 1


def test_int_of_a_large_uint64_wraps_to_int64():
    """docs/language.md: `int(x)` is an int64, so a uint64 of 2**63 or more wraps (CPython's
    int would keep 2**64 - 1; fuzz 107:7099); smaller ones keep their value."""
    assert int_of_element(np.array([2**64 - 1], np.uint64)) == (-1, 0)
    assert int_of_element(np.array([2**63 - 1], np.uint64)) == (2**63 - 1, -(2**63))
    assert int_of_element(np.array([7], np.uint64)) == int_of_element.py_func(np.array([7], np.uint64))
