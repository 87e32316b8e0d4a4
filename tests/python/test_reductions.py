"""Whole-array reductions, as methods, NumPy functions and Python builtins,
against NumPy and CPython (`f.py_func`)."""

import warnings

import numpy as np
import pytest

import ferrojit
from ferrojit import jit
from ferrojit._native import live_buffers


@jit
def every_reduction(a):
    return (a.sum(), np.prod(a), a.mean(), np.min(a), a.max(), a.argmin(), np.argmax(a),
            a.any(), np.all(a), np.std(a), a.var())


@jit
def builtins(a):
    return sum(a), min(a), max(a)


@jit
def sum_of_squares(x, y):
    return np.sum((x - y) * (x - y))


@jit
def column_means(x):
    out = np.empty(x.shape[1])
    for j in range(x.shape[1]):
        out[j] = x[:, j].mean()
    return out


def same(got, want):
    if isinstance(want, (float, np.floating)) and np.isnan(want):
        return np.isnan(got)
    if isinstance(want, (np.bool_, bool)):
        return type(got) is bool and got == want
    if isinstance(want, (np.integer, int)):
        return type(got) is int and got == want
    return got == pytest.approx(want, rel=1e-12 if np.asarray(want).dtype != np.float32 else 1e-6)


def inputs():
    yield np.array([3, -1, 7, 0], np.int8)
    yield np.array([250, 3, 9], np.uint8)
    yield np.arange(-5, 7, dtype=np.int64).reshape(3, 4)
    yield np.linspace(-1, 2, 24).reshape(2, 3, 4)
    yield np.linspace(-1, 2, 24).reshape(4, 6)[::-1, 1::2]
    yield np.asfortranarray(np.linspace(0, 1, 6).reshape(2, 3))
    yield np.array([1.0, np.nan, 0.5, np.nan])
    yield np.array([0.5, 2.0, -1.5], np.float32)
    yield np.array([True, False, True])
    yield np.array([[7]], np.uint16)


def test_every_reduction_matches_numpy():
    for a in inputs():
        with np.errstate(all="ignore"):
            want = every_reduction.py_func(a)
        got = every_reduction(a)
        for name, g, w in zip("sum prod mean min max argmin argmax any all std var".split(), got, want):
            assert same(g, w), f"{name} of {a!r}: {g!r}, NumPy {w!r}"


def test_builtins_follow_python():
    for a in [np.array([3, -1, 7]), np.array([2.5, np.nan, 1.0]), np.array([np.nan, 1.0]), np.array([4], np.int8)]:
        got, want = builtins(a), builtins.py_func(a)
        for g, w in zip(got, want):
            assert same(g, w), (a, got, want)


def test_reductions_of_expressions_make_no_array():
    x, y = np.linspace(0, 1, 1000), np.linspace(1, 0, 1000)
    before = live_buffers()
    assert sum_of_squares(x, y) == pytest.approx(sum_of_squares.py_func(x, y), rel=1e-12)
    assert live_buffers() == before
    with pytest.raises(ValueError, match=r"operands could not be broadcast together with shapes \(3,\) \(4,\) "):
        sum_of_squares(np.ones(3), np.ones(4))
    m = np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(column_means(m), column_means.py_func(m))


def test_empty_arrays():
    e = np.array([])
    with pytest.raises(ValueError) as want:
        np.min(e)
    with pytest.raises(ValueError) as info:
        every_reduction(e)
    assert str(info.value) == str(want.value)

    @jit
    def sums(a):
        return a.sum(), a.prod(), a.any(), a.all()

    assert sums(e) == sums.py_func(e)

    @jit
    def argmax(a):
        return a.argmax()

    with pytest.raises(ValueError, match="attempt to get argmax of an empty sequence"):
        argmax(e)

    @jit
    def builtin_min(a):
        return min(a)

    with pytest.raises(ValueError) as info:
        builtin_min(e)
    # CPython 3.11's message; 3.12 words it "min() iterable argument is empty".
    assert str(info.value) == "min() arg is an empty sequence"


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_builtin_sum_of_an_empty_float_array_is_the_dtype_zero(dtype):
    """CPython gives its start value, the int 0; a static result type keeps the dtype."""
    @jit
    def builtin_sum(a):
        return sum(a)

    got = builtin_sum(np.array([], dtype=dtype))
    assert got == 0 and type(got) is type(builtin_sum(np.ones(1, dtype)))
    assert builtin_sum.py_func(np.array([], dtype=dtype)) == 0


def test_refusals_say_why():
    @jit
    def with_out(a, o):
        return a.sum(axis=0, out=o)

    with pytest.raises(ferrojit.TypingError, match="with `out=` is not supported yet"):
        with_out(np.ones((2, 2)), np.ones(2))

    @jit
    def bad_axis(a):
        return a.sum(axis=2)

    with pytest.raises(ferrojit.TypingError, match="axis 2 is out of bounds for array of dimension 2"):
        bad_axis(np.ones((2, 2)))

    @jit
    def run_time_axis(a, k):
        return a.sum(axis=k)

    with pytest.raises(ferrojit.TypingError, match="axis must be a constant integer"):
        run_time_axis(np.ones((2, 2)), 0)

    @jit
    def complex_min(a):
        return a.min()

    with pytest.raises(ferrojit.TypingError, match="needs real numbers"):
        complex_min(np.ones(2, np.complex128))

    @jit
    def builtin_sum_2d(a):
        return sum(a)

    with pytest.raises(ferrojit.TypingError, match="iterates the rows"):
        builtin_sum_2d(np.ones((2, 2)))


@jit
def along_axes(x):
    return (np.sum(x, axis=0), x.mean(axis=1), x.min(0), np.argmax(x, axis=-1), x.std(axis=0),
            np.prod(x, 1), x.any(axis=0), np.all(x > 0.25, axis=-1), x.var(axis=-2), x.sum(axis=None))


def test_reductions_along_an_axis():
    for x in [np.random.default_rng(1).random((3, 4)), np.random.default_rng(2).random((2, 3, 4))[:, ::-1, ::2],
              np.asfortranarray(np.arange(12.0).reshape(3, 4)), np.arange(12).reshape(4, 3)]:
        for g, w in zip(along_axes(x), along_axes.py_func(x)):
            assert np.shape(g) == np.shape(w)
            assert np.asarray(g).dtype == np.asarray(w).dtype
            np.testing.assert_allclose(g, w, rtol=1e-12)


def test_empty_lines_along_an_axis():
    @jit
    def line_max(x):
        return x.max(axis=1)

    with pytest.raises(ValueError, match="zero-size array to reduction operation maximum which has no identity"):
        line_max(np.ones((2, 0)))
    assert line_max(np.ones((0, 3))).shape == (0,)

    @jit
    def line_sum(x):
        return x.sum(axis=1)

    np.testing.assert_array_equal(line_sum(np.ones((2, 0))), np.zeros(2))


@jit
def nan_reductions(a):
    return np.nansum(a), np.nanprod(a), np.nanmin(a), np.nanmax(a), np.nansum(a, axis=0)


def test_nan_skipping_reductions():
    for a in [np.array([[1.0, np.nan], [np.nan, 4.0]]), np.array([[np.nan, np.nan], [2.0, -1.0]]),
              np.arange(6, dtype=np.int8).reshape(3, 2), np.array([[np.nan, np.nan]])]:
        with warnings.catch_warnings():
            # NumPy warns on an all-NaN slice.
            warnings.simplefilter("ignore", RuntimeWarning)
            want = nan_reductions.py_func(a)
        for g, w in zip(nan_reductions(a), want):
            np.testing.assert_array_equal(g, w)
            if isinstance(w, np.ndarray):
                assert g.dtype == w.dtype
    with pytest.raises(ValueError, match="zero-size array to reduction operation fmin which has no identity"):
        nan_reductions(np.zeros((0, 2)))


@jit
def extremes(a):
    return (np.min(a), np.max(a), a.min(), a.max(), np.nanmin(a), np.nanmax(a), min(a), max(a),
            np.argmin(a), np.argmax(a))


@jit
def extremes_along(a):
    return (np.min(a, axis=0), np.max(a, axis=0), np.nanmin(a, axis=0), np.nanmax(a, axis=0),
            np.min(a, axis=1), np.max(a, axis=1), np.nanmin(a, axis=1), np.nanmax(a, axis=1))


@jit
def elementwise_extremes(a, b):
    return np.minimum(a, b), np.maximum(a, b)


def same_bits(got, want):
    got, want = np.asarray(got), np.asarray(want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_signed_zeros_as_numpy(dtype):
    """Fuzz finding 96:1623: NumPy's min/max (`minimum.reduce`) keep the later of equal
    elements, so `np.min([0.0, -0.0, -0.0])` is `-0.0`; nanmin/nanmax (`fmin.reduce`) and
    Python's min/max the earlier; argmin/argmax the first index. Every order of zeros of
    both signs and NaN, up to 4 elements (NumPy's SIMD loops decide among zeros for longer
    arrays mixed with other values; an array of zeros alone gives the last at any length)."""
    import itertools
    for n in range(1, 5):
        for combo in itertools.product([0.0, -0.0, np.nan, 1.0], repeat=n):
            a = np.array(combo, dtype)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                want = extremes.py_func(a)
                got = extremes(a)
            for g, w in zip(got, want):
                same_bits(g, w)
    zeros = np.where(np.random.default_rng(5).random(1001) < 0.5, 0.0, -0.0).astype(dtype)
    for k in range(1, len(zeros)):
        same_bits(np.min(zeros[:k]), extremes(zeros[:k])[0])
        same_bits(np.max(zeros[:k]), extremes(zeros[:k])[1])


def test_signed_zeros_along_an_axis_and_elementwise():
    a = np.array([[0.0, -0.0], [-0.0, 0.0], [0.0, -0.0]])
    for got, want in zip(extremes_along(a), extremes_along.py_func(a)):
        same_bits(got, want)
    # np.minimum/np.maximum of equal values give the second operand.
    for x, y in ((0.0, -0.0), (-0.0, 0.0)):
        for dtype in (np.float64, np.float32):
            a, b = np.full(37, x, dtype), np.full(37, y, dtype)
            for got, want in zip(elementwise_extremes(a, b), elementwise_extremes.py_func(a, b)):
                same_bits(got, want)
            for got, want in zip(elementwise_extremes(dtype(x), dtype(y)),
                                 elementwise_extremes.py_func(dtype(x), dtype(y))):
                same_bits(got, want)
    multiplied = np.multiply(False, np.array([1.0, -2.0, -3.0]))
    same_bits(extremes(multiplied)[0], np.min(multiplied))


# Loop reductions over a run-time count with a body of a few instructions are
# unrolled eight times (codegen/src/loop_hints.rs): the additions and
# multiplications still happen one after the other, in the program's order.


@jit
def window_means(a, w, out):
    for i in range(a.shape[0] - w + 1):
        s = 0.0
        for x in a[i : i + w]:
            s += x
        out[i] = s / w


@jit
def float32_product(a, n):
    p = np.float32(1.0)
    for i in range(n):
        p *= a[i]
    return p


@pytest.mark.parametrize("w", [1, 2, 7, 8, 9, 15, 16, 17, 32, 33, 100])
def test_unrolled_window_sums_add_in_python_order(w):
    # Magnitudes from 1e-8 to 1e8: any other order of the additions rounds differently.
    r = np.random.default_rng(w)
    a = r.random(100) * 10.0 ** r.integers(-8, 9, 100)
    got, want = np.zeros(100), np.zeros(100)
    window_means(a, w, got)
    window_means.py_func(a, w, want)
    assert got.tobytes() == want.tobytes()


def test_unrolled_float32_products_multiply_in_python_order():
    a = (0.9 + 0.2 * np.random.default_rng(3).random(40)).astype(np.float32)
    for n in range(41):
        same_bits(float32_product(a, n), float32_product.py_func(a, n))
