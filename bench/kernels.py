"""Benchmark kernels as plain Python functions.

Each is wrapped by both `ferrojit.jit` and `numba.njit` in `run.py`, so both
compilers see exactly the same source.
"""

import math

import numpy as np


def sum_1d(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


def saxpy(alpha, x, y, out):
    for i in range(x.shape[0]):
        out[i] = alpha * x[i] + y[i]


def matmul(a, b, out):
    n, k = a.shape
    m = b.shape[1]
    for i in range(n):
        for j in range(m):
            acc = 0.0
            for p in range(k):
                acc += a[i, p] * b[p, j]
            out[i, j] = acc


def convolve(img, k, out):
    n, m = img.shape
    r = k.shape[0] // 2
    for i in range(r, n - r):
        for j in range(r, m - r):
            acc = 0.0
            for a in range(-r, r + 1):
                for b in range(-r, r + 1):
                    acc += img[i + a, j + b] * k[r + a, r + b]
            out[i, j] = acc


def floyd_warshall(dist):
    n = dist.shape[0]
    for k in range(n):
        for i in range(n):
            dik = dist[i, k]
            for j in range(n):
                through = dik + dist[k, j]
                if through < dist[i, j]:
                    dist[i, j] = through


def mandelbrot(x0, x1, y0, y1, width, height, max_iter):
    counts = np.zeros((height, width), dtype=np.int64)
    dx = (x1 - x0) / width
    dy = (y1 - y0) / height
    for row in range(height):
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


def black_scholes(price, strike, t, rate, vol, call, put):
    inv_sqrt2 = 1.0 / math.sqrt(2.0)
    for i in range(price.shape[0]):
        s = price[i]
        x = strike[i]
        sqrt_t = math.sqrt(t[i])
        d1 = (math.log(s / x) + (rate + 0.5 * vol * vol) * t[i]) / (vol * sqrt_t)
        d2 = d1 - vol * sqrt_t
        cnd1 = 0.5 * (1.0 + math.erf(d1 * inv_sqrt2))
        cnd2 = 0.5 * (1.0 + math.erf(d2 * inv_sqrt2))
        discounted = x * math.exp(-rate * t[i])
        call[i] = s * cnd1 - discounted * cnd2
        put[i] = discounted * (1.0 - cnd2) - s * (1.0 - cnd1)


def add_one(x):
    return x + 1


def first_dim(a):
    return a.shape[0]
