"""Loops that load through indices read from data (`a[idx[i]]`) run in chunks
whose indices are all checked first (docs/language.md, "Indices read from
arrays"): whatever the chunk, the first out-of-range index raises CPython's
IndexError at its own iteration, after every earlier iteration's stores, and a
store that changes an index the loop has yet to read is seen, as in CPython.
A scatter (`out[idx[i]] += v`, checked where it stores) must agree as well."""

import numpy as np
import pytest

from ferrojit import jit
from test_data_indices import same_as_python

CHUNK = 512  # lower/src/versioning.rs `CHUNK`: the positions below straddle its chunks
N = 3 * CHUNK + 7
BAD_AT = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK + 300, N - 1]


@jit
def gather(a, idx, out):
    for i in range(idx.shape[0]):
        out[i] = a[idx[i]]


@jit
def scatter_add(a, idx, out):
    for i in range(idx.shape[0]):
        out[idx[i]] += a[i]


@jit
def gather_pairs(a, idx, out):
    # Two data-dependent indices, one offset, one conditional read.
    for i in range(1, idx.shape[0]):
        s = a[idx[i] - 1] * 2.0
        if s > 0.5:
            s += a[idx[i - 1]]
        out[i] = s


@jit
def gather_rows(m, rows, out):
    for i in range(rows.shape[0]):
        out[i] = m[rows[i], i % m.shape[1]]


def indices(extent, bad_at=None, bad=None):
    idx = (np.arange(N) * 7919) % (2 * extent) - extent  # negative ones wrap around
    if bad_at is not None:
        idx[bad_at] = bad
    return idx


@pytest.mark.parametrize("bad_at", BAD_AT + [None])
@pytest.mark.parametrize("bad", [100, -101, 2**62, -(2**63)])
def test_gather_raises_at_the_first_failing_index_of_any_chunk(bad_at, bad):
    error = same_as_python(gather, lambda: (np.arange(100.0), indices(100, bad_at, bad), np.zeros(N)))
    assert (error is None) == (bad_at is None)


@pytest.mark.parametrize("bad_at", BAD_AT + [None])
@pytest.mark.parametrize("bad", [37, -38])
def test_scatter_add_with_repeated_indices_stores_up_to_the_failing_one(bad_at, bad):
    # 37 slots for 1543 indices: every slot is added to many times.
    error = same_as_python(scatter_add, lambda: (np.arange(float(N)), indices(37, bad_at, bad), np.zeros(37)))
    assert (error is None) == (bad_at is None)


@pytest.mark.parametrize("bad_at", [1, CHUNK, CHUNK + 1, N - 1, None])
def test_two_indices_and_a_conditional_read(bad_at):
    same_as_python(gather_pairs, lambda: (np.linspace(0.0, 1.0, 64), indices(64, bad_at, 64), np.zeros(N)))


@pytest.mark.parametrize("bad_at", [0, CHUNK + 5, None])
def test_a_row_index_from_data_on_a_two_dimensional_array(bad_at):
    m = np.arange(40.0).reshape(8, 5)
    same_as_python(gather_rows, lambda: (m.copy(), indices(8, bad_at, -9), np.zeros(N)))


@pytest.mark.parametrize("bad_at", [3, CHUNK + 2, None])
def test_strided_and_reversed_index_views(bad_at):
    def make():
        idx = np.repeat(indices(100, bad_at, 100), 3)[::3]  # stride 24 bytes
        return np.arange(100.0), idx[::-1], np.zeros(N)

    same_as_python(gather, make)


def test_an_output_over_the_index_memory_changes_the_indices_later_iterations_read():
    # `out` is the bytes of `idx` seen as float64: each store rewrites the next
    # index read, which CPython sees, and so must ferrojit (one chunk reads
    # indices its own iterations have rewritten).
    def make():
        idx = np.zeros(N, dtype=np.int64)
        idx[1::2] = 2
        return np.arange(5.0) + 1e-320, idx, idx.view(np.float64)

    def shifted():
        # out[i] lands on idx[i + 1]: as float64 bits, 1e-320 + k is an index
        # far out of range, which must raise at iteration 1.
        idx = np.zeros(N + 1, dtype=np.int64)
        return np.arange(5.0) + 1e-320, idx[:N], idx[1:].view(np.float64)

    same_as_python(gather, make)
    error = same_as_python(gather, shifted)
    assert error is not None


def test_options_keep_their_meaning_in_chunks():
    unchecked_wrap = jit(boundscheck=False)(gather.py_func)
    no_wrap = jit(wraparound=False)(gather.py_func)
    a, idx = np.arange(100.0), indices(100)
    want = np.zeros(N)
    gather.py_func(a, idx, want)
    got = np.zeros(N)
    unchecked_wrap(a, idx, got)
    np.testing.assert_array_equal(got, want)
    # Without wraparound, a negative index is out of range (NumPy's message
    # is not CPython's here: docs/language.md, `wraparound=False`).
    with pytest.raises(IndexError):
        no_wrap(a, idx, np.zeros(N))
    no_wrap(a, np.abs(idx) % 100, got)
    np.testing.assert_array_equal(got, a[np.abs(idx) % 100])
