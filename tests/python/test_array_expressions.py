"""Array expressions: + - * / and NumPy's functions on arrays, element by element
with NumPy's broadcasting, against NumPy (`f.py_func`)."""

import gc

import numpy as np
import pytest

import ferrojit
from ferrojit import jit
from ferrojit._native import live_buffers


@jit
def axpy(a, x, y):
    return a * x + y


@jit
def mixed(a, b):
    return (a - b) / (a * a + 1) - 2 * b


@jit
def negated(a):
    return -a


@jit
def functions(x, y):
    return np.sqrt(np.fabs(x)) + np.minimum(x, y) * np.exp(-np.square(y))


@jit
def floors(a):
    return np.floor(a)


@jit
def isnan(a):
    return np.isnan(a)


@jit
def divide(a, b):
    return a / b


@jit
def temporaries_in_a_loop(a, n):
    total = 0.0
    for i in range(n):
        b = a * i + 1.0
        c = np.sqrt(b) / (b + 1.0)
        total += c[0]
    return total


@jit
def standardize_columns(x):
    out = np.empty_like(x)
    for j in range(x.shape[1]):
        col = x[:, j]
        mu = 0.0
        for v in col:
            mu += v
        mu /= col.shape[0]
        out[:, j] = (col - mu) / 2.0
    return out


def check(f, *args):
    with np.errstate(all="ignore"):
        want = f.py_func(*args)
        got = f(*args)
    assert isinstance(got, np.ndarray)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape
    single = want.dtype in (np.float32, np.complex64)
    # float32: NumPy's SIMD loops and LLVM's may round differently (a few ulps).
    np.testing.assert_allclose(got, want, rtol=1e-5 if single else 1e-13, atol=1e-6 if single else 0)
    assert got.flags.c_contiguous


DTYPES = [np.float64, np.float32, np.int64, np.int32, np.int8, np.uint8, np.complex128]


@pytest.mark.parametrize("dtype", DTYPES)
def test_arithmetic_follows_numpy_types(dtype):
    a = np.arange(1, 7).astype(dtype).reshape(2, 3)
    b = (np.arange(3) + 2).astype(dtype)
    check(axpy, a, b, a)
    check(mixed, a, b)
    if dtype not in (np.uint8,):
        check(negated, a)


@jit
def with_literals(x):
    return 2.5 * x + 1


def test_python_literals_are_weak():
    check(with_literals, np.arange(4, dtype=np.float32))
    check(with_literals, np.arange(4, dtype=np.float64))
    # A number passed as an argument is an int64 or a float64 value, not weak.
    got = axpy(2.5, np.arange(4, dtype=np.float32), 1)
    assert got.dtype == np.float64


@pytest.mark.parametrize(
    "xs, ys",
    [((3,), (2, 3)), ((2, 1), (1, 3)), ((4, 1, 3), (2, 1)), ((0,), (1,)), ((2, 0), (2, 1)), ((), (3,))],
)
def test_broadcasting(xs, ys):
    x = np.arange(np.prod(xs), dtype=np.float64).reshape(xs) + 1
    y = np.arange(np.prod(ys), dtype=np.float64).reshape(ys) - 1
    check(axpy, x, y, x)
    check(mixed, x, y)


def test_layouts_fortran_strided_and_reversed():
    base = np.arange(24.0).reshape(4, 6)
    for x in [np.asfortranarray(base), base[::2, 1::2], base[::-1, ::-1], base.T]:
        check(axpy, x, x, 1.0)
        check(functions, x, x[::-1])


def test_a_mismatch_raises_numpys_error():
    with pytest.raises(ValueError) as info:
        axpy(np.ones(3), np.ones(4), 1.0)
    assert str(info.value) == "operands could not be broadcast together with shapes (3,) (4,) "
    # The first operation that fails is named, as NumPy evaluates them.
    with pytest.raises(ValueError) as want:
        mixed.py_func(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError) as got:
        mixed(np.ones((2, 3)), np.ones((3, 2)))
    assert str(got.value) == str(want.value)


def test_numpy_functions_on_arrays():
    x = np.linspace(-2, 2, 12).reshape(3, 4)
    check(functions, x, x.T.copy().reshape(3, 4))
    check(functions, x.astype(np.float32), np.float32(0.5))
    ints = np.arange(-3, 3)
    got = floors(ints)
    assert got.dtype == np.int64 and np.array_equal(got, np.floor(ints))
    v = np.array([1.0, np.nan, np.inf])
    assert isnan(v).dtype == np.bool_ and np.array_equal(isnan(v), np.isnan(v))


def test_division_by_zero_gives_ieee_values_as_numpy():
    a = np.array([1.0, -1.0, 0.0])
    check(divide, a, np.zeros(3))
    check(divide, np.array([1, 0]), np.array([0, 0]))


def test_no_buffer_outlives_its_statement():
    # Garbage of earlier tests (a failed assertion's traceback holding a
    # returned array, as a strict xfail leaves) must not be freed mid-count.
    gc.collect()
    before = live_buffers()
    a = np.linspace(0, 1, 100)
    assert temporaries_in_a_loop(a, 50) == pytest.approx(temporaries_in_a_loop.py_func(a, 50))
    check(standardize_columns, np.arange(12.0).reshape(4, 3))
    assert live_buffers() == before


def test_unsupported_operators_say_so():
    @jit
    def shift(a, b):
        return a << b

    with pytest.raises(ferrojit.TypingError) as info:
        shift(np.ones(3, np.int64), np.ones(3, np.int64))
    assert "`<<` on arrays is not supported yet" in str(info.value)


@jit
def masks(a, b):
    return np.where((a > b) & (a < 3.0), a, -b), ~(a == b), (a != 0) | (b >= 2), np.clip(a, 0.5, 2.0)


@jit
def compare_ints(a):
    return a < 300, a == 255, a >= -1


@jit
def update(a, b):
    a += b
    a[1:] -= a[:-1]
    a *= 2
    return a


@jit
def shift_up(a):
    a[1:] += a[:-1]
    return a


@jit
def scaled_rows(m, v):
    for i in range(m.shape[0]):
        m[i] *= v
    return m


@jit
def add_float_to_ints(a):
    a += 1.5


def test_comparisons_masks_where_and_clip():
    a = np.array([0.0, 1.0, 2.5, np.nan, 4.0])
    b = np.array([1.0, 0.5, 2.0, 1.0, 5.0])
    for g, w in zip(masks(a, b), masks.py_func(a, b)):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)
    u8 = np.array([0, 7, 255], np.uint8)
    for g, w in zip(compare_ints(u8), compare_ints.py_func(u8)):
        np.testing.assert_array_equal(g, w)


def test_augmented_assignment_in_place():
    a, b = np.arange(5.0), np.ones(5)
    x = a.copy()
    assert update(x, b) is x
    np.testing.assert_array_equal(x, update.py_func(a.copy(), b))
    # Overlapping source and target: NumPy's result, as if the source were copied first.
    np.testing.assert_array_equal(shift_up(np.arange(6)), shift_up.py_func(np.arange(6)))
    m = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(scaled_rows(m.copy(), np.array([1.0, 2.0, 3.0])), scaled_rows.py_func(m.copy(), np.array([1.0, 2.0, 3.0])))
    # Broadcast into the target; F order and strided targets.
    for t in [np.asfortranarray(m), m[:, ::2].copy(), m.T.copy()]:
        np.testing.assert_array_equal(update(t.copy(), t[0]), update.py_func(t.copy(), t[0]))


def test_augmented_assignment_errors_are_numpys():
    for a, b in [(np.ones(3), np.ones((2, 3))), (np.ones(3), np.ones(4)), (np.ones(3), np.ones((1, 3)))]:
        with pytest.raises(ValueError) as want:
            update.py_func(a.copy(), b)
        with pytest.raises(ValueError) as got:
            update(a.copy(), b)
        assert str(got.value) == str(want.value)
    with pytest.raises(ferrojit.TypingError) as info:
        add_float_to_ints(np.ones(3, np.int64))
    assert (
        "Cannot cast ufunc 'add' output from dtype('float64') to dtype('int64') with casting rule 'same_kind'"
        in str(info.value)
    )


@jit
def powers(x, y):
    return x ** 2, x ** 0.5, 2.0 ** x, x ** y


@jit
def standardize(x):
    out = np.empty_like(x)
    for j in range(x.shape[1]):
        col = x[:, j]
        mu = col.mean()
        sd = np.sqrt(((col - mu) ** 2).mean())
        out[:, j] = (col - mu) / sd
    return out


def test_float_powers_and_the_standardize_example():
    x = np.linspace(0.1, 3, 8)
    for g, w in zip(powers(x, x[::-1]), powers.py_func(x, x[::-1])):
        np.testing.assert_allclose(g, w, rtol=1e-15)
    f32 = x.astype(np.float32)
    assert powers(f32, f32)[0].dtype == np.float32
    m = np.random.default_rng(0).random((50, 4))
    np.testing.assert_allclose(standardize(m), standardize.py_func(m), rtol=1e-12)


@jit
def half_powers(x, h):
    y = x.copy()
    y **= 0.5
    return x ** 0.5, np.power(x, 0.5), x ** h, (x + 0.0) ** 0.5, y, x ** np.full(x.shape, 0.5)


def test_a_power_by_the_number_half_is_numpys_square_root():
    """NumPy's float power loop takes `sqrt` for one exponent 0.5 across the
    loop: `-0.0 ** 0.5` is `-0.0` and `-inf ** 0.5` NaN, where C's `pow` gives
    `0.0` and `inf`; an array of exponents goes through `pow`."""
    for dtype in (np.float64, np.float32):
        x = np.array([-0.0, -np.inf, -4.0, np.nan, 2.0, np.inf, 0.0], dtype)
        with np.errstate(all="ignore"):
            # The exponent as a NumPy scalar of x's dtype: a Python float argument is float64 here.
            want = half_powers.py_func(x, dtype(0.5))
            got = half_powers(x, dtype(0.5))
            for g, w in zip(got, want):
                assert g.dtype == w.dtype
                np.testing.assert_array_equal(g, w)
                assert np.array_equal(np.signbit(g), np.signbit(w))
            np.testing.assert_array_equal(half_powers(x, dtype(0.25))[2], x ** dtype(0.25))


@jit
def power_updates(a, s):
    a[s:] %= np.invert(a) ** a


@jit
def power_then_add(a, b, c):
    return (a ** b) + c


@jit
def power_stored(out, a, b):
    out[1:] = a ** b


@jit
def power_compared(a):
    return a[-1] ** np.flip(a) < a.reshape(2, -1)


def test_a_negative_integer_power_raises_before_the_shape_errors_around_it():
    """NumPy computes `a ** b` before the operation it feeds sees its shape:
    "negative powers", not the later broadcast error (fuzz seed 98:2375)."""
    a = np.array([-8, -2, 3, 7, 1, -1], np.int32)
    calls = [
        (power_updates, (a, 4)),
        (power_then_add, (a, a, np.ones(4, np.int32))),
        (power_stored, (np.zeros(3, np.int64), a, a)),
        (power_compared, (np.array([2, 0, -8, -2]),)),  # fuzz 106:4132
    ]
    for f, args in calls:
        with pytest.raises(ValueError) as want:
            f.py_func(*[x.copy() if isinstance(x, np.ndarray) else x for x in args])
        with pytest.raises(ValueError) as got:
            f(*[x.copy() if isinstance(x, np.ndarray) else x for x in args])
        assert str(got.value) == str(want.value) == "Integers to negative integer powers are not allowed."
    # Exponents that cannot be negative stay inside the consumer's loop.
    b = np.arange(6, dtype=np.int64)
    np.testing.assert_array_equal(power_then_add(b, b.astype(np.uint8), b), power_then_add.py_func(b, b.astype(np.uint8), b))
    np.testing.assert_array_equal(power_then_add(b, 2, 1), b ** 2 + 1)


@jit
def store_expression(out, a, b):
    out[1:] = a[1:] * 2 + b[:-1]
    return out


@jit
def shift_doubled(a):
    a[1:] = a[:-1] * 2.0
    return a


def test_an_expression_stored_into_a_slice_is_computed_in_place():
    a, b = np.arange(5.0), np.ones(5)
    before = live_buffers()
    np.testing.assert_array_equal(store_expression(np.zeros(5), a, b), store_expression.py_func(np.zeros(5), a, b))
    assert live_buffers() == before
    # Reading what is written: as if the value were computed first (NumPy's result).
    np.testing.assert_array_equal(shift_doubled(np.arange(5.0)), shift_doubled.py_func(np.arange(5.0)))
    f32 = np.zeros(5, np.float32)
    np.testing.assert_array_equal(store_expression(f32.copy(), a, b), store_expression.py_func(f32.copy(), a, b))
    with pytest.raises(ValueError) as want:
        store_expression.py_func(np.zeros(4), a, b)
    with pytest.raises(ValueError) as got:
        store_expression(np.zeros(4), a, b)
    assert str(got.value) == str(want.value)


@jit
def floor_div_mod(a, b):
    return a // b, a % b


def test_floor_division_and_modulo_follow_numpy():
    ints = np.array([7, -7, 0, 5, np.iinfo(np.int64).min, 3])
    divisors = np.array([2, 2, 3, 0, -1, -2])
    floats = np.array([7.5, -7.5, 0.0, 5.0, -0.0, np.inf])
    fdivisors = np.array([2.0, 2.0, -3.0, 0.0, 1.0, 2.0])
    for a, b in [(ints, divisors), (floats, fdivisors), (ints.astype(np.int8), divisors.astype(np.int8)),
                 (ints.astype(np.uint8), np.array([2, 2, 3, 0, 1, 2], np.uint8)), (floats.astype(np.float32), np.float32(2.5))]:
        with np.errstate(all="ignore"):
            want = floor_div_mod.py_func(a, b)
        got = floor_div_mod(a, b)
        for g, w in zip(got, want):
            assert g.dtype == w.dtype
            np.testing.assert_array_equal(g, w)
            assert np.array_equal(np.signbit(g), np.signbit(w))

    @jit
    def add_bools(a, b):
        return a + b

    with pytest.raises(ferrojit.TypingError, match="`[+]` of two bool arrays is not supported"):
        add_bools(np.ones(2, bool), np.ones(2, bool))


@jit
def identity_of(x):
    return x


@jit
def compare_call_result(x, a):
    # `identity_of(x)` is typed after this function starts typing: the
    # comparison waits for it instead of taking it for a number (fuzz dev2:34).
    m = identity_of(x) < a
    return m


@jit
def compare_with_array_call(a, x):
    return x < identity_of(a)


def test_a_comparison_with_a_call_result_is_typed_when_the_call_is():
    a = np.array([0, 2, 4], dtype=np.uint8)
    np.testing.assert_array_equal(compare_call_result(1.5, a), compare_call_result.py_func(1.5, a))
    assert compare_call_result(1.5, a).dtype == np.bool_
    np.testing.assert_array_equal(compare_with_array_call(a, 1.5), compare_with_array_call.py_func(a, 1.5))
    assert compare_call_result(1.5, 2.0) is True


@jit
def clipped(x, lo, hi):
    return np.clip(x, lo, hi)


@pytest.mark.xfail(strict=True, reason="fuzz 134:8850: NumPy gives a tie to an array bound")
def test_clip_gives_a_tie_to_a_bound_that_is_an_array():
    # NumPy's generic clip loop (a bound that varies per element) takes the
    # bound on a tie: np.clip([0.0], -0.0, [1.0]) is [-0.0]. Scalar bounds keep
    # `x` (the test below). ferrojit keeps `x` in both cases.
    x, hi = np.array([0.0, 2.0]), np.array([1.0, 2.0])
    got, want = clipped(x, -0.0, hi), clipped.py_func(x, -0.0, hi)
    assert np.array_equal(np.signbit(got), np.signbit(want)), (got, want)


def test_clip_keeps_a_value_equal_to_a_bound_and_propagates_nan():
    # NumPy's clip loop keeps `x` when it equals a bound: np.clip(0.0, -0.0, 1.0) is 0.0
    # (maximum(0.0, -0.0) would be -0.0); a NaN anywhere gives NaN (fuzz 73:426).
    values = [-1.0, -0.0, 0.0, 1.0, np.nan]
    for dt in (np.float64, np.float32):
        for x in values:
            for lo in values:
                for hi in values:
                    args = (dt(x), dt(lo), dt(hi))
                    want = clipped.py_func(*args)
                    for got in (clipped(*args), clipped(np.array([args[0]]), args[1], args[2])[0]):
                        assert np.array_equal(got, want, equal_nan=True), (x, lo, hi)
                        assert np.signbit(got) == np.signbit(want) or np.isnan(want), (x, lo, hi)


@jit
def where3(c, a, b):
    return np.where(c, a, b)


@jit
def clip3(a, lo, hi):
    return np.clip(a, lo, hi)


def test_three_operands_are_broadcast_checked():
    # Fuzz finding (tag bcast3): a node of three operands was never checked,
    # so mismatched shapes read past the arrays.
    x = np.arange(12.0).reshape(4, 3)
    for f, args in [(where3, (np.ones(2, bool), x, x)), (clip3, (np.ones(5), np.zeros(2), np.ones(3))),
                    (clip3, (np.ones(5), np.zeros(2), 1.0))]:
        with pytest.raises(ValueError) as want:
            f.py_func(*args)
        with pytest.raises(ValueError) as got:
            f(*args)
        assert str(got.value) == str(want.value)
    np.testing.assert_array_equal(where3(np.ones(3, bool), x, 0.0), where3.py_func(np.ones(3, bool), x, 0.0))
