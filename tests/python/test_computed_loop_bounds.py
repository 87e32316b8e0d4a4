"""Innermost loops whose start no form bounds (`range(b * n // blocks, ...)`,
a parameter, a value read from data) are versioned on `first index >= 0`: the
fast copy then never wraps. A start that is negative after all runs the checked
copy, which wraps and raises exactly as Python does (values, the IndexError's
message, the stores done before it)."""

import numpy as np
import pytest

from ferrojit import jit, prange


@jit
def block_sums(x, blocks, out):
    n = x.shape[0]
    for b in range(blocks):
        s = 0.0
        for i in range(b * n // blocks, (b + 1) * n // blocks):
            s += x[i]
        out[b] = s


@jit
def window(x, lo, hi, out):
    # `out` is written before a later index raises: those stores stay done.
    for i in range(lo, hi):
        out[i - lo] = x[i] * 2.0


@jit
def from_data(x, starts, out):
    for b in range(starts.shape[0]):
        s = 0.0
        for i in range(starts[b], starts[b] + 3):
            s += x[i]
        out[b] = s


@jit
def histogram_blocks(x, bins, blocks):
    # bench/kernels.py's histogram_reduction: the chunked loop of each block.
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


def same_as_python(f, *args):
    """Runs `f` and its Python original on copies of `args`: the same result
    and the same arrays after, or the same exception with the same message."""
    mine = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    theirs = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    try:
        want = f.py_func(*theirs)
    except IndexError as e:
        with pytest.raises(IndexError) as got:
            f(*mine)
        assert str(got.value) == str(e)
    else:
        got = f(*mine)
        np.testing.assert_array_equal(got, want)
    for a, b in zip(mine, theirs):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n, blocks", [(10, 3), (7, 7), (3, 5), (0, 2), (100, 1)])
def test_chunked_blocks(n, blocks):
    same_as_python(block_sums, np.arange(float(n)), blocks, np.zeros(blocks))


@pytest.mark.parametrize(
    "lo, hi",
    # In range; starting below zero (wrapped: the last elements) in the
    # checked copy; past either end (IndexError after some stores); empty.
    [(0, 10), (3, 8), (-3, 2), (-10, -5), (-11, 0), (5, 11), (8, 3), (10, 10)],
)
def test_window_from_any_start(lo, hi):
    same_as_python(window, np.arange(10.0) + 1, lo, hi, np.zeros(20))


@pytest.mark.parametrize("starts", [[0, 4, 7], [7, -2, 1], [-12, 0, 0], [8, 0, 0]])
def test_start_read_from_data(starts):
    same_as_python(from_data, np.arange(10.0), np.array(starts, dtype=np.int64), np.zeros(3))


@pytest.mark.parametrize("blocks", [1, 3, 64])
def test_parallel_histogram(blocks):
    x = np.random.default_rng(8).random(1000)
    same_as_python(histogram_blocks, x, 16, blocks)


def test_parallel_histogram_negative_and_nan_values():
    # `k` of -3 counts into bin 13; -17 is past the front, and NaN converts to
    # INT64_MIN (docs/language.md), both IndexErrors, as Python's own for -17.
    x = np.array([0.5, -3 / 16, 0.99, 2.0])
    same_as_python(histogram_blocks, x, 16, 2)
    same_as_python(histogram_blocks, np.array([0.5, -17 / 16]), 16, 2)
    with pytest.raises(IndexError, match="index -9223372036854775808 is out of bounds"):
        histogram_blocks(np.array([0.5, np.nan]), 16, 2)


@jit
def swap_with_run_time_step(a, x):
    b = a[:len(a)]
    for _ in range(0, len(b), int(min(a))):
        a, b = b, a
    return a[0] + x


@jit
def count_with_run_time_step(n, step):
    c = 0
    for i in range(n, -n, step):
        c += 1
    return c


def test_a_loop_with_a_run_time_step_links_its_128_bit_trip_count():
    """LLVM computes such a loop's trip count in i128 and divides with
    compiler-rt's __udivti3, which the JIT provides (fuzz finding 115:5761:
    the JIT could not link the call)."""
    assert swap_with_run_time_step(np.array([2], np.int32), 5e-324) == 2.0
    with pytest.raises(ValueError, match="range\\(\\) arg 3 must not be zero"):
        swap_with_run_time_step(np.array([0], np.int32), 0.0)
    for n, step in [(5, -1), (5, -3), (2**62, -(2**62)), (2**62, -1 - 2**62), (3, 1), (7, -2**63)]:
        assert count_with_run_time_step(n, step) == len(range(n, -n, step))
