"""The memory rule (docs/language.md, "Memory"): an array made by compiled code is freed as
soon as nothing refers to it, an exception frees everything made so far, and arrays handed
to Python keep their memory alive for as long as NumPy needs it.

`live_buffers()` counts the buffers compiled code allocated that are not yet freed: every
test checks it returns to where it started, which catches a leak of a single buffer.
"""

import gc
import resource

import numpy as np
import pytest

from ferrojit import jit
from ferrojit._native import live_buffers

MB = 1 << 20


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.fixture
def no_leak():
    gc.collect()
    before = live_buffers()
    yield
    gc.collect()
    assert live_buffers() == before, "buffers allocated by compiled code were not freed"


def test_a_temporary_per_iteration_runs_in_bounded_memory(no_leak):
    @jit
    def churn(n):
        s = 0.0
        for i in range(n):
            t = np.empty(MB // 8)  # 1 MiB, dead at the next assignment
            t[i % 7] = 1.0
            s += t[i % 7]
        return s

    peak = peak_rss_bytes()
    assert churn(1_000_000) == 1_000_000.0
    # Freed only at the end of the call, a million buffers would need a terabyte.
    assert peak_rss_bytes() - peak < 200 * MB


def test_zeroed_temporaries_in_a_loop_are_freed(no_leak):
    @jit
    def steps(n, m):
        u = np.zeros(m)
        for _ in range(n):
            v = np.zeros(m)
            for j in range(1, m - 1):
                v[j] = 0.5 * (u[j - 1] + u[j + 1]) + 1.0
            u = v
        return u

    u = steps(2000, 4096)
    assert u.shape == (4096,) and u[0] == 0.0 and u[1] > 0.0


def test_a_million_calls_returning_new_arrays_keep_memory_flat(no_leak):
    @jit
    def make(n):
        return np.ones(n)

    for _ in range(1000):
        make(1024)
    peak = peak_rss_bytes()
    for _ in range(1_000_000):
        make(16)
    assert peak_rss_bytes() - peak < 50 * MB


def test_arrays_returned_by_jit_callees_are_freed_in_the_caller(no_leak):
    @jit
    def fresh(n):
        return np.full(n, 2.0)

    @jit
    def total(n):
        s = 0.0
        for i in range(n):
            s += fresh(1000)[i % 1000]
            x = fresh(10)
            s += x[0]
        return s

    assert total(100_000) == 400_000.0


def test_an_exception_mid_call_frees_what_was_allocated(no_leak):
    @jit
    def fails_late(n):
        a = np.zeros(n)
        b = np.ones(n)
        for i in range(n + 1):
            a[i] = b[i]  # IndexError at i == n
        return a

    for _ in range(100):
        with pytest.raises(IndexError, match="index 10 is out of bounds for axis 0 with size 10"):
            fails_late(10)


def test_an_exception_in_a_callee_frees_the_callers_arrays_too(no_leak):
    @jit
    def check(x):
        if x[0] > 0.0:
            raise ValueError("positive")
        return x

    @jit
    def caller(n):
        a = np.ones(n)
        b = check(a)
        return b

    with pytest.raises(ValueError, match="positive"):
        caller(5)


def test_returned_arrays_own_their_memory_after_the_call(no_leak):
    @jit
    def make(n):
        a = np.zeros(n)
        for i in range(n):
            a[i] = i
        return a

    r = make(1000)
    gc.collect()
    np.testing.assert_array_equal(r, np.arange(1000.0))
    view = r[10:20]
    del r
    gc.collect()
    np.testing.assert_array_equal(view, np.arange(10.0, 20.0))
    del view


def test_arrays_chosen_by_a_conditional_expression_are_counted(no_leak):
    @jit
    def pick(n):
        a = np.ones(n)
        b = np.zeros(n) if n > 2 else a
        return b if n > 0 else np.empty(0)

    np.testing.assert_array_equal(pick(3), np.zeros(3))
    np.testing.assert_array_equal(pick(2), np.ones(2))


def test_an_argument_returned_is_the_same_object_and_stays_alive(no_leak):
    @jit
    def same(a, flag):
        b = a
        if flag:
            b = np.zeros(3)
        return b

    a = np.arange(3.0)
    assert same(a, False) is a
    z = same(a, True)
    assert z is not a and z.tolist() == [0.0, 0.0, 0.0]
    del z


def test_a_variable_rebound_in_a_loop_releases_what_it_held(no_leak):
    @jit
    def rebind(a, n):
        x = a
        for i in range(n):
            x = np.empty(4)
            x[0] = i
        return x[0]

    assert rebind(np.zeros(2), 10_000) == 9_999.0


def test_arrays_in_returned_tuples_follow_the_same_rules(no_leak):
    @jit
    def several(a, n):
        b = np.ones(n)
        return (a, (b, n)), b, a.shape

    a = np.arange(4.0)
    (first, (b1, n)), b2, shape = several(a, 3)
    assert first is a and n == 3 and shape == (4,)
    # One buffer returned twice: two arrays over the same memory with one base.
    assert b1.base is b2.base and np.shares_memory(b1, b2)
    b1[0] = 7.0
    assert b2[0] == 7.0
    del b1, b2



def test_a_returned_buffer_is_freed_when_its_last_array_dies(no_leak):
    @jit
    def halves(n):
        b = np.ones(n)
        return b[: n // 2], b[n // 2 :]

    gc.collect()
    before = live_buffers()
    lo, hi = halves(8)
    assert live_buffers() == before + 1
    assert lo.base is hi.base and type(lo.base).__name__ == "PyCapsule"
    del lo
    gc.collect()
    assert live_buffers() == before + 1, "the other half still holds the buffer"
    np.testing.assert_array_equal(hi, np.ones(4))
    del hi
    gc.collect()
    assert live_buffers() == before

def test_tuples_of_fresh_arrays_in_a_loop_are_freed(no_leak):
    @jit
    def pair(n):
        return np.zeros(n), np.ones(n)

    @jit
    def loop(m):
        s = 0.0
        for _ in range(m):
            z, o = pair(100)
            t = (z, o)
            s += t[1][0] + z[0]
        return s

    assert loop(10_000) == 10_000.0


def test_swapping_arrays_keeps_both_alive(no_leak):
    # `u, v = v, u` assigns u first: the array u held must survive until v takes it.
    @jit
    def sweeps(a, n):
        u = a.copy()
        v = np.zeros(a.shape[0])
        for step in range(n):
            scratch = np.full(a.shape[0], -1.0)  # reuses freed memory if any
            for i in range(a.shape[0]):
                v[i] = u[i] + 1.0 + scratch[i] * 0.0
            u, v = v, u
        return u, v

    a = np.arange(5.0)
    for n in (1, 2, 3, 10):
        u, v = sweeps(a, n)
        np.testing.assert_array_equal(u, a + n)
        np.testing.assert_array_equal(v, a + n - 1)
        del u, v


# Large buffers (4 MiB to 256 MiB) freed by compiled code's arrays are kept, one at a time,
# for the next allocation of about their size that need not be zero (codegen/src/runtime.rs,
# `SPARE`): a kernel called repeatedly for a large result then writes into memory already
# mapped instead of faulting in and zeroing fresh pages on every call.

BIG = 40 * MB // 8  # float64 elements of a 40 MiB array, above what glibc keeps mapped itself (32 MiB)


# A freed buffer of 2 KiB to 4 MiB (1000 float64) or of 4 MiB to 256 MiB (BIG) is kept
# for the next array of about its size that need not be zeroed (`SPARES` in runtime.rs).
@pytest.mark.parametrize("n", [1000, BIG])
def test_zeros_after_an_array_was_freed_are_zero(no_leak, n):
    @jit
    def filled(n, v):
        a = np.empty(n)
        a[:] = v
        return a

    @jit
    def zeros(n):
        return np.zeros(n)

    for _ in range(3):
        a = filled(n, 7.0)
        assert (a == 7.0).all()
        del a  # its buffer is now the spare, full of 7.0
        z = zeros(n)
        assert not z.any(), "np.zeros never gets a reused buffer's old contents"


@pytest.mark.parametrize("n", [1000, BIG])
def test_results_kept_alive_never_share_memory(no_leak, n):
    @jit
    def filled(n, v):
        a = np.empty(n)
        a[:] = v
        return a

    kept = []
    for i in range(6):
        a = filled(n, float(i))
        if i % 2 == 0:
            kept.append(a)
        del a  # odd results are freed and may be reused by the next call
    for i, a in zip(range(0, 6, 2), kept):
        assert (a == float(i)).all()
    assert len({a.ctypes.data for a in kept}) == len(kept)


def test_a_large_result_each_call_reuses_memory_rather_than_faulting(no_leak):
    @jit
    def axpb(a, x, b):
        return a * x + b

    x = np.arange(BIG, dtype=np.float64)
    expected = 2.0 * x + 1.0
    for _ in range(3):
        np.testing.assert_array_equal(axpb(2.0, x, 1.0), expected)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        r = axpb(2.0, x, 1.0)
        del r
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    # A fresh 40 MiB array takes at least 20 faults (huge pages) and up to 10240 (4 KiB pages).
    assert faults < 10, f"{faults} page faults in 10 calls: the freed result was not reused"


def test_temporaries_between_large_results_leave_the_large_one_reused(no_leak):
    @jit
    def axpb(a, x, b):
        return a * x + b

    @jit
    def temporaries(a, steps):
        acc = 0.0
        for t in range(steps):
            scratch = np.empty(a.shape[0])  # 8 KB: the other spare's class
            for i in range(a.shape[0]):
                scratch[i] = a[i] * t
            acc += scratch[a.shape[0] - 1]
        return acc

    x = np.arange(BIG, dtype=np.float64)
    small = np.arange(1000, dtype=np.float64)
    want = temporaries.py_func(small, 5)
    for _ in range(3):
        axpb(2.0, x, 1.0)
        assert temporaries(small, 5) == want
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        r = axpb(2.0, x, 1.0)
        del r
        assert temporaries(small, 5) == want
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert faults < 10, f"{faults} page faults in 10 calls: the large result was not reused"


def test_a_large_zeroed_array_gets_huge_pages_as_numpys_does(no_leak):
    @jit
    def touched(n):
        a = np.zeros(n)
        for i in range(0, n, 512):  # one write per 4 KiB page
            a[i] = 1.0
        return a

    def numpy_touched(n):
        a = np.zeros(n)
        a[::512] = 1.0
        return a

    def faults(f, n):
        f(n)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(3):
            f(n)
        return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 3

    n = 10_000_000  # 80 MB: its own mapping, advised for huge pages by both
    np.testing.assert_array_equal(touched(1025), numpy_touched(1025))
    # Each 2 MiB region of the mapping is one fault when huge pages are granted, 512 when
    # not; a page left out of the advice turns a whole region back to small pages.
    assert faults(touched, n) <= faults(numpy_touched, n) + 8


def anon_huge_kib(array):
    """AnonHugePages (KiB) of the mappings over `array`'s data, from /proc/self/smaps."""
    lo, hi = array.ctypes.data, array.ctypes.data + array.nbytes
    total, inside = 0, False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            head = line.split()[0]
            if "-" in head and not head.endswith(":"):
                start, end = (int(v, 16) for v in head.split("-"))
                inside = start < hi and lo < end
            elif inside and head == "AnonHugePages:":
                total += int(line.split()[1])
    return total


def test_a_large_zeroed_array_never_written_costs_no_memory(no_leak):
    @jit
    def zeros(n):
        return np.zeros(n)

    z = zeros(10_000_000)
    # Its header sits on a small page of its own, so nothing of the data is faulted in (a
    # header on the first huge page cost 2 MiB zeroed on every call).
    assert anon_huge_kib(z) == 0
    assert not z[:: 1 << 20].any()
