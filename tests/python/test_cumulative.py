"""`np.cumsum`, `np.cumprod`, `a.cumsum()`, `a.cumprod()`: flattened and along
`axis=`, against NumPy (`f.py_func`)."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit

DTYPES = [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.uint32, np.uint64, np.float32,
          np.float64, np.complex64, np.complex128]


@jit
def flat(a):
    return np.cumsum(a), np.cumprod(a), a.cumsum(), a.cumprod()


@jit
def along(a):
    return (np.cumsum(a, axis=0), np.cumprod(a, axis=-1), a.cumsum(1), a.cumprod(axis=0),
            np.cumsum(a, axis=None))


@jit
def of_expression(a, b):
    return np.cumsum(a * b + 1.0)


def same(f, *args):
    with np.errstate(all="ignore"):
        want = f.py_func(*args)
        got = f(*args)
    for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
        assert g.dtype == w.dtype, (g.dtype, w.dtype)
        assert g.shape == w.shape
        assert g.flags.c_contiguous
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("dtype", DTYPES)
def test_running_sums_and_products_follow_numpy_types(dtype):
    a = (np.arange(12) % 5 + 1).astype(dtype).reshape(3, 4)
    same(flat, a)
    same(flat, a[0])
    same(along, a)


def test_layouts_empty_nan_and_expressions():
    m = np.arange(1.0, 13.0).reshape(3, 4) / 7
    same(along, np.asfortranarray(m))
    same(along, m[::-1, ::2])
    same(flat, m.T)
    same(along, np.empty((0, 3)))
    same(flat, np.empty(0))
    same(flat, np.array([1.0, np.nan, 2.0]))
    same(of_expression, m, m[::-1])
    # Wraps in int64 as NumPy's loop does.
    same(flat, np.array([2**62, 2**62, 2**62], np.int64))


def test_float32_partial_sums_round_as_numpys():
    x = np.random.default_rng(4).random(1000).astype(np.float32)
    same(flat, x)


def test_an_axis_out_of_range_is_numpys_axis_error():
    @jit
    def bad(a):
        return np.cumsum(a, axis=2)

    with pytest.raises(ferrojit.TypingError, match="axis 2 is out of bounds for array of dimension 2"):
        bad(np.ones((2, 2)))


@jit
def diffs(a):
    return np.diff(a), np.diff(a, 2), np.diff(a, n=1, axis=0), np.diff(a, axis=-1, n=3)


@jit
def diff_of_expression(a):
    return np.diff(a * 2 - 1, axis=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_diff_follows_numpy(dtype):
    a = ((np.arange(20) * 7) % 11).astype(dtype).reshape(4, 5)
    same(diffs, a)


def test_diff_layouts_short_axes_and_errors():
    m = np.random.default_rng(5).random((4, 6))
    same(diffs, np.asfortranarray(m))
    same(diffs, m[::-1, ::2])
    same(diffs, m[:, :2])  # n=2 and 3 along an axis of 2: empty
    same(diffs, np.empty((0, 3)))
    same(diff_of_expression, m)

    @jit
    def diff_1d(a):
        return np.diff(a), np.diff(a, n=4)

    same(diff_1d, np.array([1.0, np.nan, 4.0, -np.inf, 2.0]))
    same(diff_1d, np.array([3, 1], np.uint8))

    @jit
    def bad_axis(a):
        return np.diff(a, axis=1)

    with pytest.raises(ferrojit.TypingError, match="axis 1 is out of bounds for array of dimension 1"):
        bad_axis(np.ones(3))

    @jit
    def zero_d(a):
        return np.diff(a)

    with pytest.raises(ferrojit.TypingError, match="diff requires input that is at least one dimensional"):
        zero_d(np.array(1.0))
