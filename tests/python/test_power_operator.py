"""`**` of an array is NumPy's operator, `np.power` its ufunc: NumPy's
`ndarray.__pow__` calls `np.square` for the Python int 2 (any dtype: a bool
array squares to int8), and `np.reciprocal` for -1 and `np.sqrt` for the
Python float 0.5 (float and complex arrays), where `np.power` runs its power
loop; every other exponent is `np.power` either way. Results and dtypes are
compared with NumPy's (`f.py_func`), bit for bit, signed zeros included."""

import math

import numpy as np
import pytest

from ferrojit import jit

SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.5, -3.0, 1e-300, 1e300, math.inf, -math.inf, math.nan]
ARRAYS = {
    "float64": np.array(SPECIAL),
    "float32": np.array(SPECIAL, np.float32),
    "complex128": np.array([complex(x, y) for x in SPECIAL for y in SPECIAL]),
    "complex64": np.array([complex(x, y) for x in SPECIAL for y in SPECIAL], np.complex64),
    "int64": np.array([0, 1, -1, 3, -7, 2**31 + 5], np.int64),
    "int8": np.array([0, 1, -1, 3, -7, 12], np.int8),
    "uint8": np.array([0, 1, 3, 200], np.uint8),
    "bool": np.array([True, False]),
}
INEXACT = ["float64", "float32", "complex128", "complex64"]


@jit
def op_square(a):
    return a ** 2


@jit
def np_square(a):
    return np.power(a, 2)


@jit
def op_inverse(a):
    return a ** -1


@jit
def np_inverse(a):
    return np.power(a, -1)


@jit
def op_root(a):
    return a ** 0.5


@jit
def np_root(a):
    return np.power(a, 0.5)


@jit
def op_one(a):
    return a ** 1


@jit
def np_one(a):
    return np.power(a, 1)


@jit
def op_zero(a):
    return a ** 0


@jit
def np_zero(a):
    return np.power(a, 0)


@jit
def op_square_float(a):
    return a ** 2.0


@jit
def np_square_float(a):
    return np.power(a, 2.0)


@jit
def op_inverse_float(a):
    return a ** -1.0


@jit
def np_inverse_float(a):
    return np.power(a, -1.0)


@jit
def op_cube(a):
    return a ** 3


@jit
def np_cube(a):
    return np.power(a, 3)


# Each exponent: the operator's function, then np.power's.
PAIRS = {
    "a ** 2": (op_square, np_square),
    "a ** -1": (op_inverse, np_inverse),
    "a ** 0.5": (op_root, np_root),
    "a ** 1": (op_one, np_one),
    "a ** 0": (op_zero, np_zero),
    "a ** 2.0": (op_square_float, np_square_float),
    "a ** -1.0": (op_inverse_float, np_inverse_float),
    "a ** 3": (op_cube, np_cube),
}
EXPONENTS = list(PAIRS)


def assert_identical(got, want):
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got, want)
    if want.dtype.kind in "fc":
        parts = [(got.real, want.real), (got.imag, want.imag)] if want.dtype.kind == "c" \
            else [(got, want)]
        for g, w in parts:
            np.testing.assert_array_equal(np.signbit(g), np.signbit(w))


@pytest.mark.parametrize("source", EXPONENTS)
@pytest.mark.parametrize("name", INEXACT)
def test_powers_of_float_and_complex_arrays(name, source):
    a = ARRAYS[name]
    for f in PAIRS[source]:
        with np.errstate(all="ignore"):
            assert_identical(f(a), f.py_func(a))


@pytest.mark.parametrize("source", ["a ** 2", "a ** 1", "a ** 0", "a ** 3"])
@pytest.mark.parametrize("name", ["int64", "int8", "uint8"])
def test_powers_of_integer_arrays(name, source):
    a = ARRAYS[name]
    for f in PAIRS[source]:
        assert_identical(f(a), f.py_func(a))


def test_a_bool_array_squared_is_int8_as_numpys_square():
    op, fn = PAIRS["a ** 2"]
    a = ARRAYS["bool"]
    assert_identical(op(a), op.py_func(a))
    assert op(a).dtype == np.int8
    assert_identical(fn(a), fn.py_func(a))
    assert fn(a).dtype == np.int64


@pytest.mark.parametrize("source", ["a ** -1", "a ** 0.5"])
def test_integer_arrays_take_the_power_loop(source):
    # Neither reciprocal nor sqrt of ints: `** -1` raises, `** 0.5` is a float power.
    for f in PAIRS[source]:
        a = ARRAYS["int64"]
        if source == "a ** -1":
            for g in (f, f.py_func):
                with pytest.raises(ValueError,
                                   match="^Integers to negative integer powers are not allowed.$"):
                    g(a)
        else:
            assert_identical(f(a), f.py_func(a))


def test_the_operator_and_the_ufunc_differ_where_numpys_do():
    # sqrt and the power loop disagree at -0.0 and -inf only for complex
    # numbers (the float loop takes sqrt for a scalar 0.5 too); square and
    # npy_cpow's product in the last bit (NumPy's square loop fuses a
    # multiply-add where the CPU has FMA).
    z = ARRAYS["complex128"]
    op, fn = PAIRS["a ** 0.5"]
    with np.errstate(all="ignore"):
        assert not np.array_equal(op(z), fn(z), equal_nan=True)
        assert_identical(op(z), np.sqrt(z))


HALF = 0.5
TWO = 2


@jit
def by_module_constants(a):
    return a ** HALF, a ** TWO, a ** -TWO


@jit
def by_a_variable(a, e):
    return a ** e


def test_module_constants_are_python_numbers_and_variables_take_the_ufunc():
    z = ARRAYS["complex128"]
    with np.errstate(all="ignore"):
        for got, want in zip(by_module_constants(z), by_module_constants.py_func(z)):
            assert_identical(got, want)
        # A variable is int64 or float64 by then, Python's or NumPy's:
        # np.power's loop, as NumPy's operator with a NumPy number.
        assert_identical(by_a_variable(z, 2), z ** np.int64(2))
        assert_identical(by_a_variable(z, 0.5), z ** np.float64(0.5))


@jit
def power_in_place(a):
    a **= 2
    return a


def test_augmented_power_of_an_array_squares_in_place():
    z = ARRAYS["complex128"][::3].copy()
    with np.errstate(all="ignore"):
        assert_identical(power_in_place(z.copy()), power_in_place.py_func(z.copy()))


@jit
def powers_of_two_powers(x):
    return math.pow(9007199254740992.0, x), 4.0 ** x, 0.0009765625 ** x, 2.0 ** x, 10.0 ** x


def test_a_power_of_a_constant_power_of_two_is_cs_pow():
    # Fuzz 119:11868: LLVM rewrote pow(2.0**53, x) as exp2(53 * x), whose rounded product
    # put the result 3 ulp from C's pow (CPython's).
    xs = np.random.default_rng(11868).uniform(-3.0, 3.0, 400).tolist() + [-1.15, 0.1, 1 / 3]
    for x in xs:
        assert powers_of_two_powers(x) == powers_of_two_powers.py_func(x), x
