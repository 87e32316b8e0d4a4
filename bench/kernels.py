"""Benchmark kernels as plain Python functions.

Each is wrapped by both `ferrojit.jit` and `numba.njit` in `run.py`, so both
compilers see exactly the same source.
"""

import pathlib
import sys

import numpy as np


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


def matmul_operator(a, b):
    return a @ b


def add_one(x):
    return x + 1


def first_dim(a):
    return a.shape[0]


# Arrays as values (issue 6): slices, row views and temporaries. There are no
# whole-array expressions yet, so each view is read and written element by element.


def jacobi_1d_slices(a, steps):
    b = a.copy()
    for _ in range(steps):
        left, mid, right = a[:-2], a[1:-1], a[2:]
        inner = b[1:-1]
        for i in range(inner.shape[0]):
            inner[i] = (left[i] + mid[i] + right[i]) / 3.0
        a, b = b, a
    return a


def jacobi_2d_rows(u, steps):
    v = u.copy()
    n, m = u.shape
    for _ in range(steps):
        for i in range(1, n - 1):
            up, row, down, out = u[i - 1], u[i], u[i + 1], v[i]
            for j in range(1, m - 1):
                out[j] = 0.25 * (up[j] + down[j] + row[j - 1] + row[j + 1])
        u, v = v, u
    return u


def running_mean(a, w, out):
    for i in range(a.shape[0] - w + 1):
        s = 0.0
        for x in a[i : i + w]:
            s += x
        out[i] = s / w


def temporaries_in_a_loop(a, steps):
    # A fresh scratch array per step, dead at the next one.
    acc = 0.0
    n = a.shape[0]
    for t in range(steps):
        scratch = np.empty(n)
        for i in range(n):
            scratch[i] = a[i] * t
        acc += scratch[n - 1]
    return acc


# Array expressions and reductions (issue 7): whole-array code, compared with
# Numba and with NumPy running the same function uncompiled.


def fused_axpb(a, x, b):
    return a * x + b


def standardize(x):
    out = np.empty_like(x)
    for j in range(x.shape[1]):
        col = x[:, j]
        mu = col.mean()
        sd = np.sqrt(((col - mu) ** 2).mean())
        out[:, j] = (col - mu) / sd
    return out


def softmax_rows(x):
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        row = x[i]
        e = np.exp(row - row.max())
        out[i] = e / e.sum()
    return out


def sum_of_squares(x, y):
    return np.sum((x - y) * (x - y))


# Parallel kernels (issue 8): `prange` is Numba's, which both compilers
# recognise by identity, so Numba compiles them with `parallel=True` and
# ferrojit as they are.
from numba import prange  # noqa: E402


def mandelbrot_rows(x0, x1, y0, y1, width, height, max_iter):
    counts = np.zeros((height, width), dtype=np.int64)
    dx = (x1 - x0) / width
    dy = (y1 - y0) / height
    for row in prange(height):
        ci = y0 + row * dy
        for col in range(width):
            cr = x0 + col * dx
            zr = 0.0
            zi = 0.0
            n = 0
            while n < max_iter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                n += 1
            counts[row, col] = n
    return counts


def parallel_sum(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i]
    return s


def scale_shift(a, out):
    # A short loop called often: at 200,000 elements the threads' fan-out
    # and join cost as much as the work.
    for i in prange(a.shape[0]):
        out[i] = a[i] * 2.0 + 1.0


def normalize_rows(a, out):
    for i in prange(a.shape[0]):
        s = 0.0
        for j in range(a.shape[1]):
            s += a[i, j] * a[i, j]
        norm = np.sqrt(s)
        for j in range(a.shape[1]):
            out[i, j] = a[i, j] / norm


def pairwise_distances(x, out):
    n, d = x.shape
    for i in prange(n):
        for j in range(n):
            s = 0.0
            for k in range(d):
                t = x[i, k] - x[j, k]
                s += t * t
            out[i, j] = np.sqrt(s)


def histogram_reduction(x, bins, blocks):
    # Each block counts its slice of `x` into a local histogram, added into
    # `hist`: an array reduction (each chunk of blocks adds into a private copy).
    hist = np.zeros(bins, dtype=np.int64)
    n = x.shape[0]
    for b in prange(blocks):
        local = np.zeros(bins, dtype=np.int64)
        for i in range(b * n // blocks, (b + 1) * n // blocks):
            k = int(x[i] * bins)
            if k >= bins:
                k = bins - 1
            local[k] += 1
        hist += local
    return hist
