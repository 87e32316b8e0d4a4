"""Indices clamped by branches (`if k >= n: k = n - 1`, `k = min(k, n - 1)`):
the range analysis proves the side the clamp covers on every path (the flow
analysis of locals assigned more than once, docs/language.md), and the side it
does not cover is still wrapped and checked, so each kernel gives CPython's
result, or raises CPython's IndexError with the same message at the same
iteration, with the earlier iterations' effects done."""

import numpy as np
import pytest

from ferrojit import jit, prange


@jit
def clamp_high(x, h):
    n = h.shape[0]
    for i in range(x.shape[0]):
        k = int(x[i] * n)
        if k >= n:
            k = n - 1
        h[k] += 1


@jit
def clamp_elif(x, h):
    n = len(h)
    for i in range(x.shape[0]):
        k = x[i]
        if k < 0:
            k = 0
        elif k > n - 1:
            k = n - 1
        h[k] += 1


@jit
def clamp_min(x, h):
    n = len(h)
    for i in range(x.shape[0]):
        k = min(x[i], n - 1)
        h[k] += 1


@jit
def clamp_one_branch(x, h):
    # Only the `i % 2 == 0` iterations clamp: the others may be out of range.
    n = len(h)
    for i in range(x.shape[0]):
        k = x[i]
        if i % 2 == 0:
            if k >= n:
                k = n - 1
        h[k] += 1


@jit
def clamp_undone(x, h):
    # Reassigned after the clamp: nothing is known of the index.
    n = len(h)
    for i in range(x.shape[0]):
        k = x[i]
        if k >= n:
            k = n - 1
        k = k + x[i] % 3
        h[k] += 1


@jit
def clamp_skip(x, h):
    n = len(h)
    for i in range(x.shape[0]):
        k = x[i]
        if k < 0 or k >= n:
            continue
        h[k] += 1


@jit
def clamp_parallel(x, bins, blocks):
    # bench/kernels.py's histogram_reduction, over ints: `local`'s extent is
    # `bins`, so `k < bins` after the clamp; `k < -bins` still raises.
    hist = np.zeros(bins, dtype=np.int64)
    n = x.shape[0]
    for b in prange(blocks):
        local = np.zeros(bins, dtype=np.int64)
        for i in range(b * n // blocks, (b + 1) * n // blocks):
            k = x[i]
            if k >= bins:
                k = bins - 1
            local[k] += 1
        hist += local
    return hist


def outcome(f, args):
    """The exception (type and message) or None, and the arrays after the call."""
    try:
        result = f(*args)
        error = None
    except IndexError as e:
        result = None
        error = (type(e), str(e))
    arrays = [a.copy() for a in args if isinstance(a, np.ndarray)]
    return error, result, arrays


def same_as_python(f, make_args):
    got_error, got_result, got = outcome(f, make_args())
    want_error, want_result, want = outcome(f.py_func, make_args())
    assert got_error == want_error
    if want_result is not None:
        np.testing.assert_array_equal(got_result, want_result)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    return got_error


N = 600
BAD_AT = [0, 1, 257, N - 1]


def ints(bad_at, bad, lo=-20, hi=60):
    x = (np.arange(N) * 7919) % (hi - lo) + lo  # some negative, some past the end
    if bad_at is not None:
        x[bad_at] = bad
    return x


def test_clamped_float_histogram_is_pythons():
    x = np.random.default_rng(1).random(5000)
    x[::97] = 1.0  # k == n, clamped to n - 1
    same_as_python(clamp_high, lambda: (x, np.zeros(16, np.int64)))
    # A negative float makes a negative k: wrapped around, or out of range.
    x[300] = -0.5
    same_as_python(clamp_high, lambda: (x, np.zeros(16, np.int64)))
    x[400] = -3.0
    error = same_as_python(clamp_high, lambda: (x, np.zeros(16, np.int64)))
    assert error[1] == "index -48 is out of bounds for axis 0 with size 16"


@pytest.mark.parametrize("f", [clamp_elif, clamp_min, clamp_skip])
@pytest.mark.parametrize("bad_at", BAD_AT + [None])
def test_clamps_are_pythons(f, bad_at):
    error = same_as_python(f, lambda: (ints(bad_at, -41), np.zeros(40, np.int64)))
    if f is clamp_min and bad_at is not None:
        # `min` does not clamp below: -41 is past the start of 40 elements.
        assert error[1] == "index -41 is out of bounds for axis 0 with size 40"
    else:
        assert error is None


@pytest.mark.parametrize("f", [clamp_one_branch, clamp_undone])
@pytest.mark.parametrize("bad_at", BAD_AT + [None])
@pytest.mark.parametrize("bad", [40, 2**62, -41])
def test_uncovered_paths_still_raise(f, bad_at, bad):
    # The odd positions are not clamped by `clamp_one_branch`.
    at = None if bad_at is None else bad_at | 1
    error = same_as_python(f, lambda: (ints(at, bad, -20, 40), np.zeros(40, np.int64)))
    assert (error is None) == (at is None and f is clamp_one_branch)


def test_empty_target_raises_after_the_clamp():
    # `k = n - 1` is -1 when `h` is empty: an IndexError, not a read before it.
    error = same_as_python(clamp_elif, lambda: (np.array([5, 7]), np.zeros(0, np.int64)))
    assert error[1] == "index -1 is out of bounds for axis 0 with size 0"


@pytest.mark.parametrize("bad_at", [None, 0, 299, 300, N - 1])
def test_parallel_clamped_histogram_is_pythons(bad_at):
    x = ints(bad_at, -65, -30, 90)
    error = same_as_python(clamp_parallel, lambda: (x, 64, 4))
    if bad_at is None:
        assert error is None
    else:
        assert error[1] == "index -65 is out of bounds for axis 0 with size 64"
    want = np.bincount(np.where(x >= 64, 63, x) % 64, minlength=64)
    if bad_at is None:
        np.testing.assert_array_equal(clamp_parallel(x, 64, 4), want)
