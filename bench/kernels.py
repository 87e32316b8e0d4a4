"""Benchmark kernels as plain Python functions.

Each is wrapped by both `ferrojit.jit` and `numba.njit` in `run.py`, so both
compilers see exactly the same source.
"""

import pathlib
import sys


# The kernels the test corpus already holds are taken from it (their plain
# Python functions, `py_func`), so benchmark and tests measure the same code.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "corpus"))
from black_scholes import black_scholes as _black_scholes  # noqa: E402
from convolve import convolve as _convolve  # noqa: E402
from floyd_warshall import floyd_warshall as _floyd_warshall  # noqa: E402
from mandelbrot import mandelbrot as _mandelbrot  # noqa: E402
from saxpy import saxpy as _saxpy  # noqa: E402

saxpy = _saxpy.py_func
convolve = _convolve.py_func
floyd_warshall = _floyd_warshall.py_func
mandelbrot = _mandelbrot.py_func
black_scholes = _black_scholes.py_func


def sum_1d(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


def matmul(a, b, out):
    n, k = a.shape
    m = b.shape[1]
    for i in range(n):
        for j in range(m):
            acc = 0.0
            for p in range(k):
                acc += a[i, p] * b[p, j]
            out[i, j] = acc


def add_one(x):
    return x + 1


def first_dim(a):
    return a.shape[0]
