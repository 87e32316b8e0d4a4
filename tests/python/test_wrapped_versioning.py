"""Loops whose indices go negative on purpose (`a[j - 1]` at `j = 0`) run the
fast, versioned copy with the wraparound kept: the results, and the errors of
indices past either end, are Python's."""

import numpy as np
import pytest

from ferrojit import jit


@jit
def torus(grid, out):
    n, m = grid.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = grid[i - 1, j] + grid[i, j - 1] + grid[(i + 1) % n, j]


@jit
def shifted(a, out, k):
    for i in range(out.shape[0]):
        out[i] = a[i - k]


def test_torus_matches_python():
    grid = np.arange(20.0).reshape(4, 5)
    got, want = np.empty_like(grid), np.empty_like(grid)
    torus(grid, got)
    torus.py_func(grid, want)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("k", [0, 3, 10, 11, -1, -2])
def test_shift_by_any_amount_is_pythons(k):
    a = np.arange(10.0)
    got, want = np.zeros(10), np.zeros(10)
    try:
        shifted.py_func(a, want, k)
    except IndexError as e:
        with pytest.raises(IndexError, match=str(e)):
            shifted(a, got, k)
    else:
        shifted(a, got, k)
    np.testing.assert_array_equal(got, want)
