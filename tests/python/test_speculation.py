"""`and`, `or` and chained comparisons whose later operands ferrojit evaluates
eagerly (lower/src/speculate.rs) keep Python's results and never raise where
Python would not: only operands that cannot raise are speculated."""

import numpy as np
import pytest

from ferrojit import jit


@jit
def guarded_read(a, i):
    return i < a.shape[0] and a[i] > 0.0


@jit
def guarded_division(x, y):
    return y != 0 and x / y > 1.0


@jit
def values_not_bools(x, y, z):
    return (x or y, x and y, x or y or z, 0.0 and z)


@jit
def chained(lo, v, hi):
    return lo <= v < hi


@jit
def life_count(grid):
    c = 0
    for i in range(1, grid.shape[0] - 1):
        for j in range(1, grid.shape[1] - 1):
            s = grid[i - 1, j] + grid[i + 1, j] + grid[i, j - 1] + grid[i, j + 1]
            if s == 3 or (s == 2 and grid[i, j] == 1):
                c += 1
    return c


def test_operands_python_skips_still_cannot_raise():
    a = np.array([1.0, -1.0])
    for i in (0, 1, 2, 5):
        assert guarded_read(a, i) == guarded_read.py_func(a, i)
    for y in (0.0, 0.5, 4.0):
        assert guarded_division(2.0, y) == guarded_division.py_func(2.0, y)


@pytest.mark.parametrize("x, y, z", [(0.0, 2.5, 3.0), (1.5, 0.0, 3.0), (0.0, 0.0, 7.0), (2.0, 3.0, 0.0)])
def test_values_are_pythons(x, y, z):
    assert values_not_bools(x, y, z) == values_not_bools.py_func(x, y, z)


def test_chained_comparisons():
    for v in (-1.0, 0.0, 0.5, 1.0, float("nan")):
        assert chained(0.0, v, 1.0) == chained.py_func(0.0, v, 1.0)


@pytest.mark.parametrize("dtype", [np.int64, np.uint8])
def test_neighbour_rule(dtype):
    grid = (np.random.default_rng(3).random((40, 30)) < 0.4).astype(dtype)
    assert life_count(grid) == life_count.py_func(grid)
