"""Array reductions of `prange` loops (`h += local`, `acc[:] += row`): each chunk of
iterations updates a private array, combined into the target after the loop in chunk
order, so they give the sequential result (`f.py_func`): integers exactly, floats within
reassociation. Also the memory they use (freed, exceptions included) and the diagnostics
of other uses of the target."""

import gc
import warnings

import numpy as np
import pytest

import ferrojit as fj
from ferrojit import jit, prange
from ferrojit._native import live_buffers


@pytest.fixture
def no_leak():
    gc.collect()
    before = live_buffers()
    yield
    gc.collect()
    assert live_buffers() == before, "buffers allocated by compiled code were not freed"


@jit
def histogram(x, nb):
    h = np.zeros(nb, np.int64)
    for i in prange(x.shape[0]):
        local = np.zeros(nb, np.int64)
        local[int(x[i] * nb) % nb] += 1
        h += local
    return h


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 1000, 100_000])
def test_histogram_is_exact(n, no_leak):
    x = np.random.default_rng(n).random(n)
    got = histogram(x, 16)
    assert got.dtype == np.int64
    assert np.array_equal(got, histogram.py_func(x, 16))
    assert got.sum() == n


# --- each operator, int and float, 1-d and 2-d ---


@jit
def add_rows(a, x):
    for i in prange(x.shape[0]):
        a += x[i]


@jit
def sub_rows(a, x):
    for i in prange(x.shape[0]):
        a -= x[i]


@jit
def mul_rows(a, x):
    for i in prange(x.shape[0]):
        a *= x[i]


@jit
def and_rows(a, x):
    for i in prange(x.shape[0]):
        a &= x[i]


@jit
def or_rows(a, x):
    for i in prange(x.shape[0]):
        a |= x[i]


@jit
def xor_rows(a, x):
    for i in prange(x.shape[0]):
        a ^= x[i]


UPDATES = [add_rows, sub_rows, mul_rows, and_rows, or_rows, xor_rows]


def update_1d(a, x, op):
    UPDATES[op](a, x)


def update_1d_py(a, x, op):
    UPDATES[op].py_func(a, x)


@pytest.mark.parametrize("op", range(6))
@pytest.mark.parametrize("n", [0, 1, 7, 300])
def test_each_operator_on_int_arrays(op, n, no_leak):
    rng = np.random.default_rng(op * 1000 + n)
    x = rng.integers(1, 1 << 20, (n, 5)) if op != 2 else rng.integers(1, 4, (n, 5))
    start = rng.integers(1, 1 << 20, 5)
    got, want = start.copy(), start.copy()
    update_1d(got, x, op)
    update_1d_py(want, x, op)
    assert np.array_equal(got, want)


@pytest.mark.parametrize("op", range(3))
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_float_and_complex_arrays_agree_within_reassociation(op, dtype, no_leak):
    rng = np.random.default_rng(op)
    x = (rng.random((500, 4)) * 0.002 + 0.999).astype(dtype)
    start = np.full(4, 1.5, dtype)
    got, want = start.copy(), start.copy()
    update_1d(got, x, op)
    update_1d_py(want, x, op)
    assert got.dtype == dtype
    assert np.allclose(got, want, rtol=1e-4 if dtype == np.float32 else 1e-12)


@jit
def bool_any_all(x):
    anyv = np.zeros(x.shape[1], np.bool_)
    allv = np.ones(x.shape[1], np.bool_)
    for i in prange(x.shape[0]):
        anyv |= x[i]
        allv &= x[i]
    return anyv, allv


def test_bool_arrays(no_leak):
    x = np.random.default_rng(1).random((200, 6)) > 0.02
    x[:, 0] = False
    x[:, 1] = True
    got, want = bool_any_all(x), bool_any_all.py_func(x)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


@jit
def column_sums(a):
    acc = np.zeros(a.shape[1])
    for i in prange(a.shape[0]):
        acc[:] += a[i]
    return acc


@jit
def column_sums_ellipsis(a):
    acc = np.zeros(a.shape[1])
    for i in prange(a.shape[0]):
        acc[...] += a[i]
    return acc


@jit
def block_sums(a, out):
    # A 2-d target: each iteration adds a 2-d block.
    for i in prange(a.shape[0]):
        out += a[i]


@pytest.mark.parametrize("f", [column_sums, column_sums_ellipsis])
def test_view_of_the_whole_target(f, no_leak):
    a = np.random.default_rng(2).random((1000, 7))
    assert np.allclose(f(a), f.py_func(a))
    assert np.allclose(f(a), a.sum(axis=0))


@pytest.mark.parametrize("order", ["C", "F"])
def test_2d_target(order, no_leak):
    a = np.random.default_rng(3).integers(-50, 50, (300, 4, 3))
    got = np.asarray(np.arange(12).reshape(4, 3), order=order)
    want = got.copy()
    block_sums(a, got)
    block_sums.py_func(a, want)
    assert np.array_equal(got, want)


def test_target_that_is_a_strided_view(no_leak):
    a = np.random.default_rng(4).integers(-50, 50, (300, 4, 3))
    base = np.zeros((8, 6), np.int64)
    want = base.copy()
    block_sums(a, base[::2, ::2])
    block_sums.py_func(a, want[::2, ::2])
    assert np.array_equal(base, want)


@jit
def tail_sums(a):
    acc = np.zeros(a.shape[1] + 1, np.int64)
    for i in prange(a.shape[0]):
        acc[1:] += a[i]
    return acc


def test_part_of_the_target(no_leak):
    # `acc[1:] += row`: a reduction of `acc`, whose other elements stay.
    a = np.random.default_rng(5).integers(0, 9, (100, 5))
    assert np.array_equal(tail_sums(a), tail_sums.py_func(a))


@jit
def shape_in_the_body(x, h):
    for i in prange(x.shape[0]):
        local = np.zeros(h.shape[0], h.dtype)
        local[int(x[i] * h.size) % len(h)] = 1
        h += local


def test_the_shape_of_the_target_may_be_read(no_leak):
    # `h.shape`, `h.size`, `h.dtype`, `len(h)`... are those of the private array too.
    x = np.random.default_rng(9).random(1000)
    got, want = np.zeros(8, np.int64), np.zeros(8, np.int64)
    shape_in_the_body(x, got)
    shape_in_the_body.py_func(x, want)
    assert np.array_equal(got, want)


@jit
def several(x, nb):
    total = 0.0
    count = 0
    h = np.zeros(nb, np.int64)
    m = np.zeros(nb)
    for i in prange(x.shape[0]):
        k = int(x[i] * nb) % nb
        local = np.zeros(nb, np.int64)
        local[k] = 1
        h += local
        m[:] += local * x[i]
        total += x[i]
        count += 1
    return h, m, total, count


def test_several_reductions_in_one_loop(no_leak):
    x = np.random.default_rng(6).random(5000)
    got, want = several(x, 10), several.py_func(x, 10)
    assert np.array_equal(got[0], want[0])
    assert np.allclose(got[1], want[1])
    assert got[2] == pytest.approx(want[2])
    assert got[3] == want[3] == 5000


def test_the_value_before_the_loop_counts_once(no_leak):
    # 1000 iterations in several chunks; the 5s are counted once.
    start = np.full(3, 5, np.int64)
    update_1d(start, np.ones((1000, 3), np.int64), 0)
    assert np.array_equal(start, [1005, 1005, 1005])


def test_thread_counts_give_the_same_float_result(no_leak):
    a = np.random.default_rng(7).random((10_000, 5))
    results = []
    for n in range(1, fj.get_num_threads() + 1):
        fj.set_num_threads(n)
        results.append(column_sums(a))
    fj.set_num_threads(fj.get_num_threads())
    for r in results:
        assert np.array_equal(r, results[0])


# --- exceptions ---


@jit
def failing(x, idx):
    h = np.zeros(4, np.int64)
    for i in prange(x.shape[0]):
        local = np.zeros(4, np.int64)
        local[idx[i]] += 1
        h += local
    return h


@pytest.mark.parametrize("bad", [0, 1, 500, 999])
def test_an_exception_in_an_iteration_frees_the_private_arrays(bad, no_leak):
    idx = np.zeros(1000, np.int64)
    idx[bad] = 10
    with pytest.raises(IndexError) as got:
        failing(np.ones(1000), idx)
    with pytest.raises(IndexError) as want:
        failing.py_func(np.ones(1000), idx)
    assert str(got.value) == str(want.value)
    idx[bad] = 1
    assert np.array_equal(failing(np.ones(1000), idx), [999, 1, 0, 0])


@jit
def mismatched(x, m):
    acc = np.zeros(3)
    for i in prange(x.shape[0]):
        acc += np.ones(m)


def test_a_shape_error_in_an_iteration(no_leak):
    with pytest.raises(ValueError) as got:
        mismatched(np.ones(100), 4)
    with pytest.raises(ValueError) as want:
        mismatched.py_func(np.ones(100), 4)
    assert str(got.value) == str(want.value)


# --- diagnostics ---


def test_reading_the_target_in_the_loop_is_an_error():
    @jit
    def reads_it(x):
        h = np.zeros(4)
        for i in prange(x.shape[0]):
            h += x[i]
            x[i] = h[0]
        return h

    with pytest.raises(fj.TypingError) as info:
        reads_it(np.ones(3))
    message = str(info.value)
    assert "error[E0260]: `h` is an array reduction of the prange loop at line" in message
    assert "and may only be updated in it" in message
    assert "`h` is used here" in message
    assert "x[i] = h[0]" in message and "^" in message
    assert "only update `h` in place with one operator (`h += e`, `h[:] += e`" in message


def test_two_operators_on_one_target_are_an_error():
    @jit
    def two_ops(x):
        h = np.ones(4)
        for i in prange(x.shape[0]):
            h += x[i]
            h *= 2.0
        return h

    with pytest.raises(fj.TypingError, match="E0260.*`h` is an array reduction") as info:
        two_ops(np.ones(3))
    assert "`h` is updated with `+=` above and with `*=` here" in str(info.value)


def test_replacing_the_target_is_an_error():
    @jit
    def replaces(x):
        h = np.ones(4)
        for i in prange(x.shape[0]):
            h += x[i]
            h = h + x[i]
        return h

    with pytest.raises(fj.TypingError, match="E0260") as info:
        replaces(np.ones(3))
    assert "this makes a new array each iteration" in str(info.value)


def test_an_element_store_still_warns():
    # `h[k] += 1` races (as in Numba): a warning; `h += local` is the race-free form.
    @jit
    def racy(x, h, k):
        for i in prange(x.shape[0]):
            h[k] += 1

    with pytest.warns(fj.RaceWarning, match="W0252: every iteration of the prange loop writes the same element of `h`"):
        racy(np.zeros(10), np.zeros(4, np.int64), 2)


def test_an_array_reduction_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        column_sums(np.ones((3, 2)))


@jit
def disjoint_rows(a, out):
    for i in prange(a.shape[0]):
        out[i, :] += a[i]


def test_a_view_that_depends_on_the_iteration_is_no_reduction(no_leak):
    a = np.random.default_rng(8).random((50, 3))
    out = np.ones((50, 3))
    disjoint_rows(a, out)
    assert np.array_equal(out, a + 1)


def test_np_maximum_of_the_target_is_no_reduction():
    @jit
    def running_max(x):
        h = np.zeros(x.shape[1])
        for i in prange(x.shape[0]):
            h = np.maximum(h, x[i])
        return h

    with pytest.raises(fj.TypingError) as info:
        running_max(np.ones((3, 2)))
    message = str(info.value)
    assert "error[E0250]: `h` is assigned in the prange loop at line" in message
    assert "update `h` in place, an array reduction (`h += ...`, `h[:] += ...`)" in message
