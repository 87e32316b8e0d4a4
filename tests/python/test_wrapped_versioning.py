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


@jit
def window_back(a, out, lo, hi):
    # `a[j - 3]` wraps for j < 3 only, in a loop whose bounds are parameters.
    last = -100
    for j in range(lo, hi):
        out[j] = a[j - 3] + 2.0 * a[j - 1] + a[j]
        last = j
    return last, j if hi > lo else -100


@jit
def window_back_breaks(a, out, stop_at):
    total = 0.0
    for j in range(a.shape[0]):
        if j == stop_at:
            break
        total += a[j - 8] - a[j - 1]
        out[j] = total
    return total, j


@pytest.mark.parametrize("lo, hi", [(0, 10), (0, 2), (0, 3), (1, 10), (2, 4), (3, 10), (5, 10),
                                    (0, 0), (4, 2), (-3, 5), (-10, 10), (-13, 2)])
def test_indices_that_wrap_for_the_first_iterations_only_are_pythons(lo, hi):
    a = np.arange(10.0) ** 2
    got, want = np.zeros(10), np.zeros(10)
    try:
        expected = window_back.py_func(a, want, lo, hi)
    except IndexError as e:
        with pytest.raises(IndexError, match=str(e)):
            window_back(a, got, lo, hi)
    else:
        assert window_back(a, got, lo, hi) == expected
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("n, stop_at", [(20, 100), (20, 0), (20, 3), (20, 8), (20, 12), (5, 100), (8, 100)])
def test_a_break_in_a_loop_with_wrapping_indices_is_pythons(n, stop_at):
    a = np.linspace(-1.0, 1.0, n)
    got, want = np.zeros(n), np.zeros(n)
    try:
        expected = window_back_breaks.py_func(a, want, stop_at)
    except IndexError as e:
        with pytest.raises(IndexError, match=str(e)):
            window_back_breaks(a, got, stop_at)
    else:
        assert window_back_breaks(a, got, stop_at) == expected
    np.testing.assert_array_equal(got, want)


@jit
def next_cyclic(a, out):
    # `(j + 1) % m` with `j + 1 <= m`: 0 at `j + 1 == m`, else `j + 1`.
    m = a.shape[0]
    for j in range(m):
        out[j] = a[(j + 1) % m] * 10.0 + (j + 1) % m


@pytest.mark.parametrize("m", [1, 2, 3, 8, 33])
def test_the_next_index_around_a_cycle_is_pythons(m):
    a = np.arange(m, dtype=np.float64) + 0.5
    got, want = np.zeros(m), np.zeros(m)
    next_cyclic(a, got)
    next_cyclic.py_func(a, want)
    np.testing.assert_array_equal(got, want)
