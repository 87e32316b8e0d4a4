"""`prange` loops run on several threads and give the sequential result (`f.py_func`):
every loop form, private locals, reductions, exceptions from workers, the GIL,
thread settings, and the race diagnostics."""

import math
import os
import subprocess
import sys
import threading
import time
import traceback
import types
import warnings

import numpy as np
import pytest

import ferrojit as fj
from ferrojit import jit, prange
from ferrojit._native import live_buffers

# Stands for `import numba as nb`: a module whose `prange` is ferrojit's.
nb = types.ModuleType("nb")
nb.prange = fj.prange


# --- loop forms ---


@jit
def squares_stop(out):
    for i in prange(out.shape[0]):
        out[i] = i * i


@jit
def squares_start_stop(out, lo):
    for i in prange(lo, out.shape[0]):
        out[i] = i * i


@jit
def squares_step(out, lo, step):
    for i in prange(lo, out.shape[0], step):
        out[i] = i * i


@jit
def squares_down(out, step):
    for i in prange(out.shape[0] - 1, -1, step):
        out[i] = i * i


@pytest.mark.parametrize("n", [0, 1, 2, 3, 255, 256, 257, 1000])
def test_prange_stop(n):
    got, want = np.full(n, -1), np.full(n, -1)
    squares_stop(got)
    squares_stop.py_func(want)
    assert np.array_equal(got, want)


@pytest.mark.parametrize("lo", [0, 5, -3, 2000])
def test_prange_start_stop(lo):
    got, want = np.full(1000, -1), np.full(1000, -1)
    squares_start_stop(got, lo)
    squares_start_stop.py_func(want, lo)
    assert np.array_equal(got, want)


@pytest.mark.parametrize("lo, step", [(0, 1), (1, 3), (7, 1000), (0, 999)])
def test_prange_step(lo, step):
    got, want = np.full(1000, -1), np.full(1000, -1)
    squares_step(got, lo, step)
    squares_step.py_func(want, lo, step)
    assert np.array_equal(got, want)


@pytest.mark.parametrize("step", [-1, -2, -7])
def test_prange_negative_step(step):
    got, want = np.full(1000, -1), np.full(1000, -1)
    squares_down(got, step)
    squares_down.py_func(want, step)
    assert np.array_equal(got, want)


def test_zero_step_is_cpythons_error():
    with pytest.raises(ValueError, match="range\\(\\) arg 3 must not be zero"):
        squares_step(np.zeros(3, dtype=np.int64), 0, 0)


@jit
def helper_clip(x, hi):
    return min(x, hi)


@jit
def body_with_everything(a, out):
    # Branches, a call to another @jit function, an allocation, a view, a tuple,
    # an inner range loop and private locals in one body.
    for i in prange(a.shape[0]):
        row = a[i]
        tmp = np.empty(row.shape[0])
        lo, hi = 0.0, 0.0
        for j in range(row.shape[0]):
            v = helper_clip(row[j], 0.75)
            tmp[j] = v
            if v > 0.5:
                hi += v
            else:
                lo += v
        out[i, 0] = lo
        out[i, 1] = hi
        out[i, 2] = tmp.copy()[row.shape[0] - 1]


def test_body_with_branches_calls_allocation_views_tuples():
    a = np.random.default_rng(1).random((300, 17))
    got, want = np.zeros((300, 3)), np.zeros((300, 3))
    before = live_buffers()
    body_with_everything(a, got)
    assert live_buffers() == before, "a buffer allocated in a worker was not freed"
    body_with_everything.py_func(a, want)
    assert np.allclose(got, want)


@jit
def nested(out):
    for i in prange(out.shape[0]):
        for j in prange(out.shape[1]):
            out[i, j] = i * 100 + j


def test_nested_prange():
    got, want = np.zeros((40, 30)), np.zeros((40, 30))
    nested(got)
    nested.py_func(want)
    assert np.array_equal(got, want)


@jit
def through_fj(out):
    for i in fj.prange(out.shape[0]):
        out[i] = 2 * i


@jit
def through_nb(out):
    for i in nb.prange(out.shape[0]):
        out[i] = 3 * i


@jit(parallel=True)
def parallel_option(out):
    for i in prange(out.shape[0]):
        out[i] = 4 * i


@pytest.mark.parametrize("f", [through_fj, through_nb, parallel_option])
def test_prange_spellings(f):
    got, want = np.zeros(500), np.zeros(500)
    f(got)
    f.py_func(want)
    assert np.array_equal(got, want)


@jit
def row_norms(a, out):
    for i in fj.prange(a.shape[0]):
        s = 0.0
        for j in range(a.shape[1]):
            s += a[i, j] * a[i, j]
        out[i] = math.sqrt(s)


def test_row_norms_example():
    a = np.random.default_rng(2).random((513, 70))
    got, want = np.empty(513), np.empty(513)
    row_norms(a, got)
    row_norms.py_func(a, want)
    # A private sum is computed in order, as in Python.
    assert np.array_equal(got, want)


def test_numbas_prange_is_recognised_once_numba_is_imported(monkeypatch):
    # Stands for the real Numba, which the tests do not import: ferrojit looks
    # at `sys.modules["numba"].prange` only.
    numba = types.ModuleType("numba")
    numba.prange = type("prange", (), {})
    monkeypatch.setitem(sys.modules, "numba", numba)
    numba_prange = numba.prange

    @jit
    def f(out):
        for i in numba_prange(out.shape[0]):
            out[i] = 5 * i

    got = np.zeros(300)
    f(got)
    assert np.array_equal(got, 5 * np.arange(300.0))


# --- reductions ---


@jit(parallel=True)
def total(x):
    s = 0.0
    for i in fj.prange(x.shape[0]):
        s += x[i]
    return s


@pytest.mark.parametrize("n", [0, 1, 7, 100_000])
def test_float_sum_agrees_within_reassociation(n):
    x = np.random.default_rng(3).random(n)
    assert total(x) == pytest.approx(total.py_func(x), rel=1e-12, abs=1e-12)


@jit
def int_reductions(n):
    add = 0
    sub = 1000
    mul = 1
    band = -1
    bor = 0
    bxor = 0
    lo = 1 << 40
    hi = -(1 << 40)
    for i in prange(n):
        add += i * i
        sub -= i
        mul *= 3 if i % 1000 == 0 else 1
        band &= ~(1 << (i % 60)) if i % 97 == 5 else -1
        bor |= 1 << (i % 50)
        bxor ^= i * 2654435761
        lo = min(lo, (i * 7919) % 10007 - 5000)
        hi = max((i * 104729) % 10007, hi)
    return add, sub, mul, band, bor, bxor, lo, hi


@pytest.mark.parametrize("n", [0, 1, 2, 255, 10_000])
def test_int_reductions_are_exact(n):
    assert int_reductions(n) == int_reductions.py_func(n)


@jit
def float_min_max_and_products(x):
    lo = np.inf
    hi = -np.inf
    p = 1.0
    for i in prange(x.shape[0]):
        lo = min(lo, x[i])
        hi = max(hi, x[i])
        p *= 1.0 + x[i] * 1e-3
    return lo, hi, p


def test_float_min_max_product():
    x = np.random.default_rng(4).standard_normal(5000)
    lo, hi, p = float_min_max_and_products(x)
    wlo, whi, wp = float_min_max_and_products.py_func(x)
    assert (lo, hi) == (wlo, whi)
    assert p == pytest.approx(wp, rel=1e-12)


@jit
def complex_sum(z):
    s = 0j
    t = 1 + 0j
    for i in prange(z.shape[0]):
        s += z[i]
        t *= 1 + z[i] * 1e-4
    return s, t


def test_complex_reductions():
    rng = np.random.default_rng(5)
    z = rng.random(3000) + 1j * rng.random(3000)
    s, t = complex_sum(z)
    ws, wt = complex_sum.py_func(z)
    assert s == pytest.approx(ws, rel=1e-12)
    assert t == pytest.approx(wt, rel=1e-12)


@jit
def reduction_in_branches(x):
    pos = 0.0
    neg = 0
    for i in prange(x.shape[0]):
        if x[i] > 0:
            pos += x[i]
        else:
            neg += 1
    return pos, neg


def test_reductions_under_branches():
    x = np.random.default_rng(6).standard_normal(10_001)
    pos, neg = reduction_in_branches(x)
    wpos, wneg = reduction_in_branches.py_func(x)
    assert neg == wneg
    assert pos == pytest.approx(wpos, rel=1e-12)


@jit
def spelled_out(x):
    s = 0.0
    p = 1.0
    d = 100
    for i in prange(x.shape[0]):
        s = s + x[i]
        p = (1.0 + x[i] * 1e-3) * p
        d = d - i
    return s, p, d


def test_reductions_spelled_as_assignments():
    x = np.random.default_rng(8).random(4097)
    s, p, d = spelled_out(x)
    ws, wp, wd = spelled_out.py_func(x)
    assert d == wd
    assert s == pytest.approx(ws, rel=1e-12)
    assert p == pytest.approx(wp, rel=1e-12)


# --- exceptions from workers ---


@jit
def fails_at(a, k):
    for i in prange(a.shape[0]):
        j = i
        if i >= k:
            j = i + a.shape[0]
        a[j] = 1.0


@pytest.mark.parametrize("k", [0, 1, 500, 998, 999])
def test_index_error_of_the_lowest_failing_iteration(k):
    with pytest.raises(IndexError) as got:
        fails_at(np.zeros(1000), k)
    with pytest.raises(IndexError) as want:
        fails_at.py_func(np.zeros(1000), k)
    assert str(got.value) == str(want.value) == f"index {k + 1000} is out of bounds for axis 0 with size 1000"


def test_the_dispatcher_keeps_working_after_a_failure():
    with pytest.raises(IndexError):
        fails_at(np.zeros(100), 50)
    a = np.zeros(100)
    fails_at(a, 1000)
    assert a.sum() == 100


@jit
def divides(a, d):
    s = 0
    for i in prange(a.shape[0]):
        s += a[i] // d[i]
    return s


def test_zero_division_in_a_worker():
    a = np.arange(1, 2001)
    d = np.ones(2000, dtype=np.int64)
    d[1234] = 0
    with pytest.raises(ZeroDivisionError, match="integer division or modulo by zero"):
        divides(a, d)
    d[1234] = 1
    assert divides(a, d) == divides.py_func(a, d)


@jit
def raises_in_body(x, bad):
    for i in prange(x.shape[0]):
        if x[i] == bad:
            raise ValueError("bad value")
        x[i] = x[i] + 1


def test_raise_in_a_worker_has_its_message_and_line():
    x = np.arange(5000.0)
    with pytest.raises(ValueError, match="^bad value$") as info:
        raises_in_body(x, 4321.0)
    lines = [
        (frame.name, frame.line)
        for frame in traceback.extract_tb(info.value.__traceback__)
        if frame.name == "raises_in_body"
    ]
    assert lines == [("raises_in_body", 'raise ValueError("bad value")')]


@jit
def recurse(n):
    if n == 0:
        return 0
    return 1 + recurse(n - 1)


@jit
def recursion_in_body(out, depth):
    for i in prange(out.shape[0]):
        out[i] = recurse(depth)


def test_workers_have_their_own_stack_limit():
    out = np.zeros(64, dtype=np.int64)
    recursion_in_body(out, 100)
    assert (out == 100).all()
    with pytest.raises(RecursionError, match="maximum recursion depth exceeded"):
        recursion_in_body(out, 10**9)


@jit
def allocates_then_fails(n, k):
    total = 0.0
    for i in prange(n):
        t = np.ones(100)
        if i == k:
            raise ValueError("stop")
        total += t[i % 100]
    return total


def test_buffers_of_failing_workers_are_freed():
    before = live_buffers()
    with pytest.raises(ValueError, match="^stop$"):
        allocates_then_fails(5000, 2500)
    assert allocates_then_fails(5000, -1) == 5000.0
    assert live_buffers() == before


@jit
def inner_parallel(out, row):
    for j in prange(out.shape[1]):
        out[row, j] = row + j


@jit
def outer_parallel(out):
    for i in prange(out.shape[0]):
        inner_parallel(out, i)


def test_a_parallel_callee_inside_a_prange_body():
    got, want = np.zeros((64, 300)), np.zeros((64, 300))
    outer_parallel(got)
    outer_parallel.py_func(want)
    assert np.array_equal(got, want)


# --- the GIL and threads ---


@jit
def spin(n):
    acc = 0
    for i in prange(n):
        x = i
        for _ in range(200):
            x = (x * 1103515245 + 12345) % 2147483648
        acc ^= x
    return acc


def test_other_python_threads_run_during_a_parallel_loop():
    n = 2_000_000
    spin(10)  # compiled beforehand
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    time.sleep(0.01)
    start = time.perf_counter()
    spin(n)
    end = time.perf_counter()
    stop.set()
    t.join()
    during = [x for x in ticks if start < x < end]
    assert end - start > 0.05, "the loop was too short to tell"
    assert len(during) >= 5, f"{len(during)} ticks in {end - start:.3f}s"


def test_two_python_threads_run_parallel_kernels_at_once():
    x = np.random.default_rng(7).random(200_000)
    want = int_reductions.py_func(3000)
    results = []

    def work():
        for _ in range(20):
            results.append((int_reductions(3000), total(x)))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 40
    assert all(r[0] == want for r in results)
    assert all(r[1] == pytest.approx(x.sum(), rel=1e-12) for r in results)


@jit
def scale_shift(a, out):
    for i in prange(a.shape[0]):
        out[i] = a[i] * 2.0 + 1.0


def test_short_and_failing_loops_back_to_back_from_several_threads():
    # Workers stay awake after a loop and join the next one, a caller's or
    # another thread's; short loops run several chunks per call; a failing
    # call skips the chunks after it. Each loop must still run every
    # iteration once and raise the lowest failing iteration's exception
    # (`fails_at` fails at every iteration from `k` on).
    failures = []

    def work(seed):
        rng = np.random.default_rng(seed)
        for _ in range(150):
            n = int(rng.choice([1, 7, 100, 5000, 60_000]))
            a = np.arange(n, dtype=np.float64)
            out = np.empty(n)
            scale_shift(a, out)
            if not np.array_equal(out, a * 2.0 + 1.0):
                failures.append(f"scale_shift n={n}")
            k = int(rng.integers(n))
            try:
                fails_at(np.zeros(n), k)
                failures.append(f"no IndexError n={n} k={k}")
            except IndexError as e:
                if str(e) != f"index {k + n} is out of bounds for axis 0 with size {n}":
                    failures.append(f"n={n} k={k}: {e}")
            if total(a) != n * (n - 1) / 2:
                failures.append(f"total n={n}")
            grid = np.zeros((8, 50))
            outer_parallel(grid)
            if not np.array_equal(grid, np.add.outer(np.arange(8.0), np.arange(50.0))):
                failures.append("outer_parallel")

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a loop hung"
    assert failures == []


def test_num_threads_settings():
    size = fj.get_num_threads()
    assert size >= 1
    with pytest.raises(ValueError, match=f"between 1 and {size}"):
        fj.set_num_threads(size + 1)
    with pytest.raises(ValueError, match=f"between 1 and {size}"):
        fj.set_num_threads(0)
    try:
        fj.set_num_threads(1)
        assert fj.get_num_threads() == 1
        assert int_reductions(5000) == int_reductions.py_func(5000)
    finally:
        fj.set_num_threads(size)
    assert fj.get_num_threads() == size


def test_set_num_threads_is_per_python_thread():
    size = fj.get_num_threads()
    seen = []
    fj.set_num_threads(1)
    try:
        t = threading.Thread(target=lambda: seen.append(fj.get_num_threads()))
        t.start()
        t.join()
    finally:
        fj.set_num_threads(size)
    assert seen == [size]


def run_python(code, **env):
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_environment_variable_sizes_the_pool():
    result = run_python("import ferrojit; print(ferrojit.get_num_threads())", FERROJIT_NUM_THREADS="3")
    assert result.stdout.strip() == "3", result.stderr


def test_a_bad_environment_variable_fails_at_import():
    result = run_python("import ferrojit", FERROJIT_NUM_THREADS="zero")
    assert result.returncode != 0
    assert "FERROJIT_NUM_THREADS must be a positive integer, not 'zero'" in result.stderr


# --- race diagnostics ---


def test_a_private_local_read_after_the_loop_is_an_error():
    @jit
    def last_value(x):
        t = 0.0
        for i in prange(x.shape[0]):
            t = x[i] * 2
        return t

    with pytest.raises(fj.TypingError) as info:
        last_value(np.ones(3))
    message = str(info.value)
    assert "E0250" in message
    assert "`t` is assigned in the prange loop at line" in message
    assert "and read after it" in message
    assert "make `t` a reduction" in message
    assert "return t" in message and "^" in message


def test_the_loop_variable_read_after_the_loop_is_an_error():
    @jit
    def last_index(n):
        i = -1
        for i in prange(n):
            pass
        return i

    with pytest.raises(fj.TypingError, match="`i` is the variable of the prange loop at line \\d+ and read after it"):
        last_index(3)


@jit
def reuses_names(x, out):
    t = 0.0
    for i in prange(x.shape[0]):
        t = x[i] * 2.0
        out[i] = t
    s = 0.0
    for i in range(x.shape[0]):
        s += out[i]
    t = s / 2.0
    return t


def test_names_reassigned_after_the_loop_are_not_races():
    x = np.arange(10.0)
    assert reuses_names(x, np.zeros(10)) == reuses_names.py_func(x, np.zeros(10))


def test_a_read_in_the_next_iteration_of_an_enclosing_loop_is_a_race():
    @jit
    def carried(x, out):
        t = 0.0
        for r in range(2):
            out[0] = t
            for i in prange(x.shape[0]):
                t = x[i]

    with pytest.raises(fj.TypingError, match="`t` is assigned in the prange loop"):
        carried(np.ones(3), np.zeros(3))


def test_break_and_return_cannot_leave_a_prange_loop():
    @jit
    def breaks(x):
        for i in prange(x.shape[0]):
            if x[i] > 0:
                break
            x[i] = 1.0

    @jit
    def returns(x):
        for i in prange(x.shape[0]):
            if x[i] > 0:
                return i
        return -1

    for f, what in [(breaks, "break"), (returns, "return")]:
        with pytest.raises(fj.TypingError, match=f"E0251.*`{what}` cannot leave a prange loop"):
            f(np.ones(3))


def test_a_write_at_an_index_not_depending_on_the_loop_variable_warns():
    @jit
    def same_cell(x, out):
        for i in prange(x.shape[0]):
            out[0] = x[i]

    out = np.zeros(1)
    with pytest.warns(fj.RaceWarning, match="W0252: every iteration of the prange loop writes the same element of `out`") as record:
        same_cell(np.ones(10), out)
    assert record[0].filename == __file__
    assert out[0] == 1.0


def test_writes_indexed_by_the_loop_variable_do_not_warn():
    @jit
    def own_cell(x, out):
        for i in prange(x.shape[0]):
            k = i // 2
            out[i] = x[k]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        own_cell(np.ones(10), np.zeros(10))


def test_a_value_carried_between_iterations_is_refused():
    @jit
    def smoothed(x, out):
        t = 0.0
        for i in prange(x.shape[0]):
            t = t * 0.5 + x[i]
            out[i] = t

    with pytest.raises(fj.TypingError) as info:
        smoothed(np.ones(4), np.zeros(4))
    message = str(info.value)
    assert "error[E0250]: `t` is read in the prange loop at line" in message
    assert "before the iteration assigns it" in message
    assert "make it a reduction" in message


@jit
def shifted_by_parameter(a, out, k):
    for i in prange(a.shape[0]):
        out[i] = a[i] + k
    k = 5  # set once, to a constant: the loop still reads the argument
    return k


def test_a_prange_body_reads_a_parameter_rebound_later_as_its_argument():
    a = np.arange(4.0)
    out = np.zeros(4)
    assert shifted_by_parameter(a, out, 100) == 5
    assert np.array_equal(out, a + 100)
