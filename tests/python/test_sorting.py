"""Sorting and searching: `np.sort`, `a.sort()`, `np.argsort`, `a.argsort()`,
`np.median`, `np.unique`, `np.searchsorted`, against NumPy (`f.py_func`): every
real dtype, C, F, strided and reversed layouts, empty arrays, NaNs, ties, and
the refusals at compile time."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit
from ferrojit._native import live_buffers

DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
          np.uint32, np.uint64, np.float32, np.float64]


def values(shape, dtype, seed=0):
    """Values with ties (few distinct ones) and, for floats, NaNs and infinities."""
    rng = np.random.default_rng(seed + sum(shape))
    v = rng.integers(-5, 6, size=shape)
    if np.dtype(dtype).kind == "f":
        v = v.astype(np.float64) / 2
        flat = v.reshape(-1)
        if flat.size > 3:
            flat[:: max(1, flat.size // 3)] = np.nan
            flat[1] = -np.inf
            flat[2] = np.inf
    if np.dtype(dtype).kind == "u":
        v = np.abs(v)
    return v.astype(dtype)


def layouts(a):
    """`a` as a C array, an F array, a strided view and a reversed view."""
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
    """Equal values (NaNs equal); arrays of the same dtype and shape (numbers come back
    as Python numbers, of the value NumPy's scalar has)."""
    if not isinstance(got, np.ndarray):
        assert isinstance(got, (int, float)) and np.ndim(want) == 0, (got, want)
        np.testing.assert_array_equal(got, want)
        return
    want = np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_array_equal(got, want)


@jit
def sort(a):
    return np.sort(a)


@jit
def sort_axis0(a):
    return np.sort(a, axis=0)


@jit
def sort_flat(a):
    return np.sort(a, axis=None)


@jit
def sort_stable(a):
    return np.sort(a, kind="stable")


@jit
def sort_in_place(a):
    a.sort()
    return a


@jit
def sort_in_place_axis0(a):
    a.sort(axis=0)


@jit
def argsort(a):
    return np.argsort(a, kind="stable")


@jit
def argsort_axis0(a):
    return a.argsort(axis=0, kind="stable")


@jit
def argsort_flat(a):
    return np.argsort(a, axis=None, kind="stable")


@jit
def median(a):
    return np.median(a)


@jit
def median_axis(a):
    return np.median(a, axis=-1)


@jit
def median_axis0(a):
    return np.median(a, 0)


@jit
def unique(a):
    return np.unique(a)


@jit
def searchsorted(a, v):
    return np.searchsorted(a, v)


@jit
def searchsorted_right(a, v):
    return np.searchsorted(a, v, side="right")


SHAPES = [(0,), (1,), (7,), (4, 5), (3, 0), (2, 3, 4)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_sort_is_numpys(dtype, shape):
    for a in layouts(values(shape, dtype)):
        same(sort(a), sort.py_func(a))
        same(sort_flat(a), sort_flat.py_func(a))
        same(sort_stable(a), sort_stable.py_func(a))
        same(sort_axis0(a), sort_axis0.py_func(a))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_sort_in_place_is_numpys(dtype, shape):
    v = values(shape, dtype)
    for want, got in zip(layouts(v), layouts(v)):
        sort_in_place.py_func(want)
        same(sort_in_place(got), want)
    for want, got in zip(layouts(v), layouts(v)):
        sort_in_place_axis0.py_func(want)
        assert sort_in_place_axis0(got) is None
        same(got, want)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_argsort_is_numpys_stable_order(dtype, shape):
    # ferrojit's argsort is stable whatever the kind; NumPy's is with kind="stable".
    for a in layouts(values(shape, dtype)):
        same(argsort(a), argsort.py_func(a))
        same(argsort_axis0(a), argsort_axis0.py_func(a))
        same(argsort_flat(a), argsort_flat.py_func(a))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_argsort_keeps_the_order_of_equal_nans_and_zeros(dtype):
    # Every NaN (either sign) ties with every other, -0.0 with 0.0: stable as NumPy's.
    rng = np.random.default_rng(8)
    pool = np.array([np.nan, -np.nan, 0.0, -0.0, -np.inf, np.inf, 1.5, -1.5, 5e-324, -5e-324])
    a = rng.choice(pool, 2000).astype(dtype)
    same(argsort(a), argsort.py_func(a))
    same(argsort_axis0(a.reshape(40, 50)), argsort_axis0.py_func(a.reshape(40, 50)))


@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.uint64, np.uint8])
def test_argsort_of_integers_at_their_extremes(dtype):
    info = np.iinfo(dtype)
    a = np.array([info.max, 0, info.min, 1, info.max, info.min, 0], dtype)
    same(argsort(a), argsort.py_func(a))


def test_argsort_default_kind_sorts():
    @jit
    def default_argsort(a):
        return np.argsort(a)

    a = values((50,), np.float64, seed=3)
    order = default_argsort(a)
    assert order.dtype == np.int64
    same(a[order], np.sort(a))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1,), (7,), (8,), (4, 5), (2, 3, 4)])
def test_median_is_numpys(dtype, shape):
    for a in layouts(values(shape, dtype)):
        same(median(a), median.py_func(a))
        same(median_axis(a), median_axis.py_func(a))
        same(median_axis0(a), median_axis0.py_func(a))


def test_median_of_an_empty_array_is_nan():
    a = np.zeros(0)
    assert np.isnan(median(a))
    with pytest.warns(RuntimeWarning):
        assert np.isnan(median.py_func(a))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_unique_is_numpys(dtype, shape):
    for a in layouts(values(shape, dtype)):
        same(unique(a), unique.py_func(a))


def test_unique_keeps_one_nan():
    a = np.array([np.nan, 1.0, np.nan, 0.0, 1.0])
    same(unique(a), unique.py_func(a))
    assert unique(a).shape == (3,)


@pytest.mark.parametrize("dtype", DTYPES)
def test_searchsorted_is_numpys(dtype):
    sorted_ = np.sort(values((9,), dtype))
    probes = values((4, 3), dtype, seed=5)
    for a in layouts(sorted_):
        for v in layouts(probes):
            same(searchsorted(a, v), searchsorted.py_func(a, v))
            same(searchsorted_right(a, v), searchsorted_right.py_func(a, v))
        for x in [0, 2, -1, 9]:
            got = searchsorted(a, x)
            assert got == searchsorted.py_func(a, x)
            assert searchsorted_right(a, x) == searchsorted_right.py_func(a, x)


def test_searchsorted_mixed_dtypes_and_nan():
    a = np.array([1, 2, 3], dtype=np.uint8)
    assert searchsorted(a, 2.5) == searchsorted.py_func(a, 2.5) == 2
    f = np.array([1.0, 2.0, np.nan])
    for x in [np.nan, 2.0, np.inf]:
        assert searchsorted(f, x) == searchsorted.py_func(f, x)
        assert searchsorted_right(f, x) == searchsorted_right.py_func(f, x)
    same(searchsorted(np.zeros(0), np.arange(3.0)), searchsorted.py_func(np.zeros(0), np.arange(3.0)))


def test_sorting_frees_its_copies():
    a = values((30, 4), np.float64)
    before = live_buffers()
    for _ in range(3):
        sort_axis0(a)
        argsort(a)
        median_axis0(a)
        unique(a)
        searchsorted(np.sort(a[:, 0]), a)
    assert live_buffers() == before


def test_refusals_are_compile_errors():
    @jit
    def complex_sort(a):
        return np.sort(a)

    with pytest.raises(ferrojit.TypingError, match=r"E0280.*`np.sort` of complex values is not supported"):
        complex_sort(np.zeros(3, np.complex128))

    @jit
    def bad_kind(a):
        return np.sort(a, kind="bogo")

    with pytest.raises(ferrojit.TypingError, match=r"E0281.*`np.sort` needs `kind=` as one of 'quicksort'"):
        bad_kind(np.zeros(3))

    @jit
    def bad_side(a):
        return np.searchsorted(a, 1.0, side="middle")

    with pytest.raises(ferrojit.TypingError, match=r"E0281.*needs `side=` as one of 'left', 'right'"):
        bad_side(np.zeros(3))

    @jit
    def deep(a):
        return np.searchsorted(a, 1.0)

    with pytest.raises(ferrojit.TypingError, match=r"E0282.*needs a 1-d sorted array"):
        deep(np.zeros((2, 2)))

    @jit
    def axis_var(a, k):
        return np.sort(a, axis=k)

    with pytest.raises(ferrojit.TypingError, match=r"E0283.*must be a constant integer or None"):
        axis_var(np.zeros((2, 2)), 0)

    @jit
    def axis_out(a):
        return np.sort(a, axis=2)

    with pytest.raises(ferrojit.TypingError, match=r"E0238.*axis 2 is out of bounds for array of dimension 2"):
        axis_out(np.zeros((2, 2)))

    @jit
    def method_flat(a):
        a.sort(axis=None)

    with pytest.raises(ferrojit.TypingError, match=r"E0283.*needs an integer axis"):
        method_flat(np.zeros((2, 2)))


GLOBAL = np.arange(3.0)


def test_sort_of_a_module_array_is_refused():
    # Module-level arrays are read-only constants in compiled code.
    @jit
    def sort_global():
        GLOBAL.sort()

    with pytest.raises(ferrojit.TypingError, match=r"E0217.*cannot write to a read-only array"):
        sort_global()
