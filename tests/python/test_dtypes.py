"""Every array dtype of SEMANTICS.md reads and writes correctly, in every layout."""

import numpy as np
import pytest

from ferrojit import jit

DTYPES = [
    np.bool_, np.int8, np.int16, np.int32, np.int64,
    np.uint8, np.uint16, np.uint32, np.uint64,
    np.float32, np.float64, np.complex64, np.complex128,
]


@jit
def copy_reversed(src, dst):
    n = len(src)
    for i in range(n):
        dst[i] = src[n - 1 - i]


@jit
def scale_2d(a, out, factor):
    n, m = a.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = a[i, j] * factor


def sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 100, size=shape)
    if np.dtype(dtype).kind == "c":
        return (values + 1j * rng.integers(0, 100, size=shape)).astype(dtype)
    if np.dtype(dtype).kind == "b":
        return values % 2 == 0
    return values.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("step", [1, 2, -1])
def test_element_copy_keeps_values(dtype, step):
    src = sample(dtype, 40)[::step]
    dst = np.zeros(len(src), dtype=dtype)
    copy_reversed(src, dst)
    np.testing.assert_array_equal(dst, src[::-1])


@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.float64, np.complex64, np.complex128],
                         ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("order", ["C", "F", "strided"])
def test_2d_arithmetic_matches_numpy(dtype, order):
    a = sample(dtype, (7, 5), seed=1)
    if order == "F":
        a = np.asfortranarray(a)
    elif order == "strided":
        a = np.repeat(np.repeat(a, 2, axis=0), 2, axis=1)[::2, ::2]
    expected = np.empty(a.shape, dtype=dtype)
    expected[...] = a * 3
    out = np.zeros(a.shape, dtype=dtype)
    scale_2d(a, out, 3)
    np.testing.assert_array_equal(out, expected)
