"""Advanced indexing (docs/language.md, "Advanced indexing") against NumPy.

One array index per subscript: a bool mask or an integer array, alone or among
integers, slices and `...`. Every kernel runs compiled and as `f.py_func` on
copies of the same inputs (C, F, strided and negative-stride arrays and index
arrays, several dtypes, empty and all-true/all-false masks); results, what the
kernel wrote into its arguments and exceptions (type and message) must agree.
"""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit

from test_views import copy_like, outcome, same, variants


def arrays_2d(dtype=np.float64):
    return variants(np.arange(1, 31).reshape(5, 6).astype(dtype))


def arrays_1d(dtype=np.float64, n=9):
    return variants(np.arange(1, n + 1).astype(dtype))


LAYOUTS = ["C", "F", "strided", "negative"]
DTYPES = [np.float64, np.float32, np.int64, np.uint8, np.bool_, np.complex128]


# ---- reads ----

@jit
def take(a, idx):
    return a[idx]


@jit
def masked(a, m):
    return a[m]


@jit
def positive(a):
    return a[a > 2]


@jit
def both(a, b):
    return a[(a > 2) & (b < 7)]


@jit
def shifted(a, idx):
    return a[idx + 1]


@jit
def row_pick(a, i, idx):
    return a[i, idx]


@jit
def column_pick(a, idx):
    return a[:, idx]


@jit
def rows_from(a, idx):
    return a[idx, 1:]


@jit
def column_mask(a, m):
    return a[:, m]


@jit
def separated(a, idx):
    return a[0, :, idx]


@jit
def adjacent(a, idx):
    return a[:, 0, idx]


@jit
def last_axis(a, idx):
    return a[..., idx]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_integer_array_reads(layout, dtype):
    a = arrays_1d(dtype)[layout]
    for idx in [np.array([0, 3, -1, 3, 8]), np.array([], dtype=np.int64),
                np.array([2, 0], dtype=np.uint8), np.array([-9, 1], dtype=np.int16),
                np.array([[1, 2], [0, -2]], dtype=np.int32)]:
        same(take, a, idx)
    for idx in variants(np.array([4, 0, 2, -1])).values():
        same(take, a, idx)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_mask_reads(layout, dtype):
    a = arrays_2d(dtype)[layout]
    base = (np.arange(30).reshape(5, 6) % 3) == 1
    for m in variants(base).values():
        same(masked, a, m)
    same(masked, a, np.zeros((5, 6), dtype=bool))
    same(masked, a, np.ones((5, 6), dtype=bool))
    same(masked, a, np.array([True, False, True, True, False]))
    same(column_mask, a, np.array([True, False, True, True, False, True]))
    same(column_mask, a, np.zeros(6, dtype=bool))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_mask_expressions(layout):
    a = arrays_2d()[layout]
    b = arrays_2d(np.int32)["C"][::-1]
    same(positive, a)
    same(both, a, b)
    same(shifted, arrays_1d()[layout], np.array([0, 2, -3]))
    same(positive, np.zeros((0, 3)))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.int8, np.complex64])
def test_mixed_with_integers_and_slices(layout, dtype):
    a = arrays_2d(dtype)[layout]
    idx = np.array([5, 0, -1, 2])
    same(row_pick, a, 2, idx)
    same(row_pick, a, -1, idx)
    same(column_pick, a, idx)
    same(rows_from, a, np.array([4, 0, -2]))
    same(last_axis, a, idx)
    c = variants(np.arange(24.0).reshape(2, 3, 4).astype(dtype))[layout]
    same(separated, c, np.array([1, 3, -4]))
    same(adjacent, c, np.array([[1, 3], [0, 0]]))
    same(last_axis, c, np.array([3, 1]))
    same(take, c, np.array([1, 0, 1]))


def test_index_errors_are_numpys():
    a = np.arange(3.0)
    assert outcome(take, a, np.array([0, 5])) == (
        "IndexError", "index 5 is out of bounds for axis 0 with size 3")
    same(take, a, np.array([0, 5]))
    same(take, a, np.array([-4]))
    assert outcome(masked, a, np.array([True, False, True, False])) == (
        "IndexError",
        "boolean index did not match indexed array along axis 0; size of axis is 3 "
        "but size of corresponding boolean axis is 4",
    )
    same(column_pick, np.zeros((2, 3)), np.array([1, 3]))
    # NumPy checks every index, even when the result is empty.
    same(column_pick, np.zeros((0, 3)), np.array([5]))
    same(column_mask, np.zeros((2, 3)), np.array([True, False, True, False]))
    same(masked, np.zeros((2, 3)), np.ones((2, 4), dtype=bool))


# ---- writes ----

@jit
def put(a, idx, v):
    a[idx] = v


@jit
def put_mask(a, m, v):
    a[m] = v


@jit
def clip_negative(a):
    a[a < 0] = 0


@jit
def put_columns(a, idx, v):
    a[:, idx] = v


@jit
def add_at(a, idx, v):
    a[idx] += v


@jit
def add_mask(a, m, v):
    a[m] += v


@jit
def scale_positive(a):
    a[a > 2] *= 2


@jit
def reverse_pick(a, idx):
    a[idx] = a[::-1][idx]


@jit
def masked_from_reverse(a):
    a[a > 2] = a[::-1][a > 2]


@jit
def from_itself(a, idx):
    a[idx] = a[:3]


@jit
def add_itself(a, idx):
    a[idx] += a[:3]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.uint8, np.complex128])
def test_stores(layout, dtype):
    def fresh():
        return arrays_1d(dtype)[layout]
    same(put, fresh(), np.array([0, -1, 3]), 7)
    same(put, fresh(), np.array([0, -1, 3]), np.array([1, 2, 3]).astype(dtype))
    same(put, fresh(), np.array([0, 0, 0]), np.array([1, 2, 3]).astype(dtype))
    same(put, fresh(), np.array([], dtype=np.int64), 1)
    m = fresh() > 4 if dtype is not np.complex128 else fresh().real > 4
    same(put_mask, fresh(), m, 0)
    same(put_mask, fresh(), m, np.arange(5).astype(dtype))
    same(put_mask, fresh(), m, np.ones(1, dtype=dtype))
    same(put_mask, fresh(), np.zeros(9, dtype=bool), 1)
    same(add_at, fresh(), np.array([0, 0, 2, -1]), 1)
    same(add_at, fresh(), np.array([0, 0, 2, -1]), np.array([1, 2, 3, 4]).astype(dtype))
    same(add_mask, fresh(), m, 3)
    same(reverse_pick, fresh(), np.array([0, 2, 4]))
    same(from_itself, fresh(), np.array([5, 6, 7]))
    same(add_itself, fresh(), np.array([1, 2, 1]))
    if dtype is not np.complex128:
        same(scale_positive, fresh())
        same(masked_from_reverse, fresh())
    if dtype in (np.float64, np.int64):
        same(clip_negative, fresh() - 5)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_stores_into_2d(layout):
    def fresh():
        return arrays_2d()[layout]
    same(put, fresh(), np.array([4, 0]), 0.5)
    same(put, fresh(), np.array([4, 0]), np.arange(6.0))
    same(put, fresh(), np.array([4, 0]), np.arange(12.0).reshape(2, 6))
    same(put_columns, fresh(), np.array([5, 1]), np.arange(5.0).reshape(5, 1))
    same(put_mask, fresh(), np.array([True, False, True, False, False]), -1.0)
    same(put_mask, fresh(), fresh() > 10, np.arange(20.0))
    same(add_mask, fresh(), fresh() > 10, 1.5)
    same(add_at, fresh(), np.array([1, 1]), np.arange(6.0))


def test_store_errors_are_numpys():
    b = np.arange(4.0)
    m = b > 1
    assert outcome(put_mask, b.copy(), m, np.array([1.0, 2.0, 3.0])) == (
        "ValueError",
        "NumPy boolean array indexing assignment cannot assign 3 input values to the 2 "
        "output values where the mask is true",
    )
    same(put_mask, b.copy(), m, np.array([1.0, 2.0, 3.0]))
    # NumPy's TypeError for a value of more axes than the result: a compile error here, as
    # for slice stores.
    with pytest.raises(ferrojit.TypingError, match="E0218"):
        put_mask(b.copy(), m, np.ones((1, 2)))
    same(put_mask, np.zeros((3, 4)), np.array([True, False, True]), np.arange(3.0))
    same(put, np.zeros((3, 4)), np.array([0, 1]), np.arange(3.0))
    same(put, b.copy(), np.array([0, 9]), 1.0)
    same(add_at, b.copy(), np.array([0, 1]), np.arange(3.0))
    same(add_mask, b.copy(), m, np.arange(3.0))


# ---- refused at compile time ----

@jit
def two_arrays(a, i, j):
    return a[i, j]


@jit
def float_index(a, x):
    return a[x]


@jit
def with_newaxis(a, idx):
    return a[idx, None]


def test_refusals():
    with pytest.raises(ferrojit.TypingError, match=r"E0270.*only one array index"):
        two_arrays(np.zeros((3, 3)), np.array([0]), np.array([1]))
    with pytest.raises(ferrojit.TypingError, match=r"E0271.*integer \(or boolean\)"):
        float_index(np.zeros(3), np.array([0.5]))
    with pytest.raises(ferrojit.TypingError, match=r"E0272.*too many indices"):
        masked(np.zeros(3), np.ones((3, 3), dtype=bool))
    with pytest.raises(ferrojit.TypingError, match=r"E0273"):
        with_newaxis(np.zeros(3), np.array([0]))
    # NumPy reads a 0-d integer array as a number (a number comes out, not an array).
    with pytest.raises(ferrojit.TypingError, match=r"E0276"):
        take(np.zeros(3), np.array(1))


# ---- np.count_nonzero, np.nonzero, np.flatnonzero, np.argwhere ----

@jit
def count(a):
    return np.count_nonzero(a)


@jit
def count_axis(a):
    return np.count_nonzero(a, axis=0)


@jit
def count_above(a):
    return np.count_nonzero(a > 3)


@jit
def nonzero(a):
    return np.nonzero(a)


@jit
def flat_nonzero(a):
    return np.flatnonzero(a)


@jit
def arg_where(a):
    return np.argwhere(a)


@jit
def nonzero_above(a):
    return np.nonzero(a > 3)


def same_tuple(f, *args):
    got, expected = f(*args), f.py_func(*args)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.dtype == e.dtype and g.shape == e.shape
        np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_nonzero_family(layout, dtype):
    base = (np.arange(30).reshape(5, 6) % 4).astype(dtype)
    a = variants(base)[layout]
    same(count, a)
    same(count_axis, a)
    same(flat_nonzero, a)
    same(arg_where, a)
    same_tuple(nonzero, a)
    if dtype is not np.complex128:
        same(count_above, a)
        same_tuple(nonzero_above, a)
    one = arrays_1d(dtype)[layout]
    same(flat_nonzero, one)
    same_tuple(nonzero, one)
    same(arg_where, one)


def test_nonzero_edges():
    for a in [np.zeros(0), np.zeros((3, 0)), np.zeros((2, 3)), np.ones((2, 3))]:
        same(count, a)
        same(flat_nonzero, a)
        same(arg_where, a)
        same_tuple(nonzero, a)
    # NaN is not zero; -0.0 is.
    same(count, np.array([np.nan, -0.0, 0.0, 1.0]))
    same(flat_nonzero, np.array([np.nan, -0.0, 0.0, 1.0]))
    same(count, np.array([0j, 1j, 1 + 0j]))
    with pytest.raises(ferrojit.TypingError, match="E0275"):
        nonzero(np.array(1.0))


def test_advanced_indexing_frees_its_buffers():
    import gc

    from ferrojit._native import live_buffers

    @jit
    def churn(a, idx, n):
        s = 0.0
        for _ in range(n):
            s += a[idx].sum() + a[a > 2].sum()
            a[idx] += 1.0
            s += np.nonzero(a > 3)[0].sum()
        return s

    gc.collect()
    before = live_buffers()
    churn(np.arange(9.0), np.array([0, 0, 3]), 100)
    gc.collect()
    assert live_buffers() == before


@jit
def complex_sum(z):
    return np.sum(z)


def test_complex_fold_identity():
    # The identity of a fold over complex numbers (np.sum, count_nonzero) is a complex
    # constant: it was an InternalError ("integer constant of type c128").
    same(complex_sum, np.array([1j, 2 + 0j, -1.5 + 2j]))
    same(count, np.array([1j, 0j, 2 + 0j]))
