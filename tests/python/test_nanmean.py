"""`np.nanmean`: the mean of the elements that are not NaN, whole array and along
`axis=`, against NumPy (`f.py_func`)."""

import warnings

import numpy as np
import pytest

import ferrojit
from ferrojit import jit


@jit
def nanmeans(a):
    return np.nanmean(a), np.nanmean(a, axis=0), np.nanmean(a, 1)


@jit
def nanmean_of_expression(a, b):
    return np.nanmean(a / b)


def same(f, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy warns for an all-NaN slice
        want = f.py_func(*args)
        got = f(*args)
    for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
        assert np.asarray(g).dtype == np.asarray(w).dtype or not isinstance(w, np.ndarray)
        np.testing.assert_allclose(g, w, rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint16, np.float32, np.float64, np.bool_])
def test_nanmean_skips_nans(dtype):
    a = (np.arange(12) % 5).astype(dtype).reshape(3, 4)
    same(nanmeans, a)


def test_nans_empty_lines_and_layouts():
    m = np.arange(12.0).reshape(3, 4)
    m[0, 1] = m[2, 2] = np.nan
    m[:, 3] = np.nan
    same(nanmeans, m)
    same(nanmeans, np.asfortranarray(m)[::-1])
    same(nanmeans, np.full((2, 2), np.nan))
    same(nanmeans, np.empty((0, 3)))
    same(nanmean_of_expression, m, m[::-1])


def test_complex_is_refused():
    with pytest.raises(ferrojit.TypingError, match="`np.nanmean` needs real numbers"):
        nanmeans(np.ones((2, 2), np.complex128))
