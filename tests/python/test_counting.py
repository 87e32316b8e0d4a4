"""Counting values: `np.histogram` (bins an integer or an array of edges, `range=`) and
`np.bincount` (`weights=`, `minlength=`), against NumPy (`f.py_func`): dtypes, layouts,
empty arrays, NaN, values on the edges, and NumPy's errors with their exact text."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit
from ferrojit._native import live_buffers

REALS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
         np.float32, np.float64]
INTS = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
        np.uint64]


def layouts(a):
    yield a
    yield np.asfortranarray(a)
    wide = np.zeros(tuple(2 * n for n in a.shape), a.dtype)
    view = wide[tuple(slice(None, None, 2) for _ in a.shape)]
    view[...] = a
    yield view
    yield np.ascontiguousarray(a[tuple(slice(None, None, -1) for _ in a.shape)])[
        tuple(slice(None, None, -1) for _ in a.shape)
    ]


def same(got, want):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            same(g, w)
        return
    assert isinstance(got, np.ndarray)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_array_equal(got, want)


@jit
def histogram(a):
    return np.histogram(a)


@jit
def histogram_bins(a, bins):
    return np.histogram(a, bins)


@jit
def histogram_range(a, lo, hi):
    return np.histogram(a, bins=7, range=(lo, hi))


@jit
def bincount(x):
    return np.bincount(x)


@jit
def bincount_weighted(x, w):
    return np.bincount(x, weights=w, minlength=4)


@jit
def bincount_min(x, n):
    return np.bincount(x, minlength=n)


def data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.integers(0, 40, size=shape)
    if np.dtype(dtype).kind == "f":
        v = v / 3.0
    return v.astype(dtype)


@pytest.mark.parametrize("dtype", REALS)
@pytest.mark.parametrize("shape", [(0,), (1,), (9,), (200,), (5, 7)])
def test_histogram_is_numpys(dtype, shape):
    for a in layouts(data(shape, dtype)):
        same(histogram(a), histogram.py_func(a))
        for bins in (1, 3, 13):
            same(histogram_bins(a, bins), histogram_bins.py_func(a, bins))
        same(histogram_range(a, 2.0, 9.5), histogram_range.py_func(a, 2.0, 9.5))
        same(histogram_range(a, 3.0, 3.0), histogram_range.py_func(a, 3.0, 3.0))


@pytest.mark.parametrize("edges", [np.array([0.0, 1.0, 2.5, 10.0]), np.array([0, 5, 5, 13]),
                                   np.array([3.0]), np.array([-1.0, 13.0])[::-1][::-1]])
def test_histogram_with_edges_is_numpys(edges):
    for dtype in REALS:
        for a in layouts(data((30,), dtype)):
            same(histogram_bins(a, edges), histogram_bins.py_func(a, edges))
    got = histogram_bins(np.arange(4.0), edges)[1]
    assert got is edges or np.shares_memory(got, edges)


def test_histogram_values_on_edges_and_nan():
    a = np.array([0.0, 1.0, 2.0, 3.0, 3.0, np.nan, -np.inf, np.inf])
    same(histogram_range(a, 0.0, 3.0), histogram_range.py_func(a, 0.0, 3.0))
    same(histogram_bins(a, np.array([0.0, 1.0, 3.0])), histogram_bins.py_func(a, np.array([0.0, 1.0, 3.0])))
    # Many values near the edges of bins that are not exact in binary.
    b = np.linspace(-1.0, 1.0, 1001)
    for bins in (3, 7, 10, 49):
        same(histogram_bins(b, bins), histogram_bins.py_func(b, bins))
        same(histogram_bins(b.astype(np.float32), bins), histogram_bins.py_func(b.astype(np.float32), bins))


def errors(f, *args):
    with pytest.raises(Exception) as want:
        f.py_func(*args)
    with pytest.raises(Exception) as got:
        f(*args)
    assert got.type is want.type
    assert str(got.value) == str(want.value)


def test_histogram_errors_are_numpys():
    errors(histogram, np.array([1.0, np.nan]))
    errors(histogram, np.array([1.0, np.inf]))
    errors(histogram_bins, np.arange(3.0), 0)
    errors(histogram_bins, np.arange(3.0), -2)
    errors(histogram_bins, np.arange(3.0), np.array([1.0, 0.5]))
    errors(histogram_range, np.arange(3.0), 2.0, 1.0)
    errors(histogram_range, np.arange(3.0), 0.0, np.inf)
    errors(histogram_range, np.arange(3.0), np.nan, 1.0)


@pytest.mark.parametrize("dtype", INTS)
def test_bincount_is_numpys(dtype):
    for x in layouts(data((25,), dtype) % 9):
        same(bincount(x), bincount.py_func(x))
        w = np.linspace(0.5, 3.0, 25)
        for wl in layouts(w):
            same(bincount_weighted(x, wl), bincount_weighted.py_func(x, wl))
        same(bincount_weighted(x, w.astype(np.int32)), bincount_weighted.py_func(x, w.astype(np.int32)))
        for n in (0, 3, 20):
            same(bincount_min(x, n), bincount_min.py_func(x, n))
    empty = np.zeros(0, dtype)
    same(bincount(empty), bincount.py_func(empty))
    same(bincount_min(empty, 5), bincount_min.py_func(empty, 5))
    # NumPy returns int64 zeros for an empty x even with weights; ferrojit's type is float64.
    got = bincount_weighted(empty, np.ones(3))
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, bincount_weighted.py_func(empty, np.ones(3)))


def test_bincount_errors_are_numpys():
    errors(bincount, np.array([1, -2, 3]))
    errors(bincount_min, np.array([1, 2]), -1)
    errors(bincount_weighted, np.array([1, 2]), np.ones(3))


def test_counting_frees_its_buffers():
    a = data((100,), np.float64)
    before = live_buffers()
    for _ in range(3):
        histogram(a)
        histogram_range(a, 1.0, 2.0)
        histogram_bins(a, np.array([0.0, 1.0, 5.0]))
        bincount(data((10,), np.int64))
    assert live_buffers() == before


def test_refusals_are_compile_errors():
    @jit
    def float_bincount(x):
        return np.bincount(x)

    with pytest.raises(ferrojit.TypingError, match=r"E0284.*`np.bincount` needs an array of integers"):
        float_bincount(np.zeros(3))

    @jit
    def bool_histogram(x):
        return np.histogram(x)

    with pytest.raises(ferrojit.TypingError, match=r"E0284.*`np.histogram` needs an array of numbers"):
        bool_histogram(np.zeros(3, np.bool_))

    @jit
    def deep_bincount(x):
        return np.bincount(x)

    with pytest.raises(ferrojit.TypingError, match=r"E0282.*`np.bincount` needs a 1-d array"):
        deep_bincount(np.zeros((2, 2), np.int64))

    @jit
    def density(x):
        return np.histogram(x, density=True)

    with pytest.raises(ferrojit.TypingError, match=r"E0221.*does not accept `density=`"):
        density(np.zeros(3))
