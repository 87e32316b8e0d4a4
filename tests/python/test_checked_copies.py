"""The checked copy of a versioned loop is compiled when a call first runs it.

A loop whose indices can be checked once before it runs a copy without bounds
checks; its checked copy runs only when some index may be out of range (the
loop then raises, or leaves before it gets there). It is a function of its own
(`lower/src/cold.rs`), compiled on demand: these tests pin when it is compiled
and that running it is the loop's meaning, with the variables it sets, the
stores before a raise and the traceback.
"""

import os
import subprocess
import sys
import threading
import traceback

import numpy as np
import pytest

from ferrojit import jit, prange


def shifted_sum(a, out, k):
    for i in range(a.shape[0]):
        out[i] = a[i] + a[i + k]


def test_the_checked_copy_is_compiled_when_a_call_first_runs_it():
    f = jit(shifted_sum)
    a, out = np.arange(10.0), np.zeros(10)
    f(a, out, 0)
    assert f.checked_copies_compiled == 0
    out = np.zeros(10)
    with pytest.raises(IndexError, match="index 10 is out of bounds for axis 0 with size 10"):
        f(a, out, 1)
    assert f.checked_copies_compiled == 1
    # Stores before the raising iteration are kept, as in Python.
    want = np.zeros(10)
    with pytest.raises(IndexError):
        shifted_sum(a, want, 1)
    assert np.array_equal(out, want)
    # Compiled once: later calls that run it find it compiled.
    with pytest.raises(IndexError):
        f(a, out, 2)
    assert f.checked_copies_compiled == 1
    f(a, out, 0)
    assert np.array_equal(out, 2 * a)


def test_a_checked_copy_that_runs_without_raising_is_pythons():
    # A parameter's shift is versioned on `i + k >= 0`: a negative one runs
    # the checked copy, which wraps the first indices around as Python does.
    f = jit(shifted_sum)
    a = np.arange(10.0)
    want, got = np.zeros(10), np.zeros(10)
    shifted_sum(a, want, -3)
    f(a, got, -3)
    assert np.array_equal(got, want)
    assert f.checked_copies_compiled == 1


def test_the_raise_in_a_checked_copy_has_the_loops_traceback_entry():
    f = jit(shifted_sum)
    with pytest.raises(IndexError) as info:
        f(np.arange(4.0), np.zeros(4), 1)
    frames = [(s.name, s.lineno) for s in traceback.extract_tb(info.value.__traceback__)]
    line = shifted_sum.__code__.co_firstlineno + 2
    assert frames[-1] == ("shifted_sum", line)
    assert frames.count(("shifted_sum", line)) == 1


def shift_back(a, out, k):
    for i in range(a.shape[0]):
        out[i] = a[i - k]


def torus(grid, out):
    n, m = grid.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = grid[i - 1, j] + grid[(i + 1) % n, j] + grid[i, j - 1] - grid[i, j]


def test_an_index_negative_by_design_stays_wrapped_without_bounds_checks():
    # With `boundscheck=False` (wraparound kept) `a[i - k]` and `grid[i - 1, j]`
    # are negative on purpose in the first iterations: the loop wraps them in
    # place. Tested `>= 0` before the loop, they had sent every call to the
    # (scalar) checked copy, 1.1-2x slower than with bounds checks on.
    f = jit(shift_back, boundscheck=False)
    a = np.arange(10.0)
    want, got = np.zeros(10), np.zeros(10)
    shift_back(a, want, 3)
    f(a, got, 3)
    assert np.array_equal(got, want)
    assert f.checked_copies_compiled == 0
    g = jit(torus, boundscheck=False)
    grid = np.arange(20.0).reshape(4, 5)
    want, got = np.zeros((4, 5)), np.zeros((4, 5))
    torus(grid, want)
    g(grid, got)
    assert np.array_equal(got, want)
    assert g.checked_copies_compiled == 0


def bounded_search(a, n, target):
    # The loop runs past the array's end for n > len(a): checked copy, which
    # leaves by `break` before an index goes out of range.
    found = -1
    steps = 0
    for i in range(n):
        if i >= a.shape[0]:
            break
        steps += 1
        if a[i] == target:
            found = i
    return found, steps, i


@pytest.mark.parametrize("n", [0, 1, 4, 7, 8, 20])
@pytest.mark.parametrize("target", [3.0, 6.0, 100.0])
def test_variables_set_in_a_checked_copy_are_seen_after_it(n, target):
    a = np.arange(8.0)
    f = jit(bounded_search)
    if n == 0:
        # `i` is unbound after an empty loop: both raise.
        with pytest.raises(UnboundLocalError):
            bounded_search(a, n, target)
        with pytest.raises(UnboundLocalError):
            f(a, n, target)
        return
    assert f(a, n, target) == bounded_search(a, n, target)


def nest(a, out, lo):
    total = 0.0
    for i in range(a.shape[0]):
        for j in range(lo, a.shape[1] + 1):
            if j < a.shape[1]:
                out[i, j] = 2.0 * a[i, j]
                total += a[i, j]
    return total


@pytest.mark.parametrize("lo", [-3, 0, 2])
@pytest.mark.parametrize("order", ["C", "F"])
def test_a_loop_nest_that_runs_its_checked_copy_is_pythons(lo, order):
    a = np.asarray(np.arange(12.0).reshape(3, 4), order=order)
    want_out, got_out = np.zeros((3, 4)), np.zeros((3, 4))
    f = jit(nest)
    assert f(a, got_out, lo) == nest(a, want_out, lo)
    assert np.array_equal(got_out, want_out)


def gather_sum(x, idx):
    s = 0.0
    for i in range(idx.shape[0]):
        s += x[idx[i]]
    return s


def test_a_checked_copy_reached_by_many_threads_at_once_is_compiled_once():
    f = jit(gather_sum)
    x = np.arange(100.0)
    good = np.arange(100)
    assert f(x, good) == gather_sum(x, good)
    assert f.checked_copies_compiled == 0
    bad = np.arange(1000) % 101  # reaches 100: raises in the checked chunk
    errors = []
    start = threading.Barrier(8)

    def call():
        start.wait()
        try:
            f(x, bad)
        except IndexError as e:
            errors.append(str(e))

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == ["index 100 is out of bounds for axis 0 with size 100"] * 8
    assert f.checked_copies_compiled == 1


@jit
def rows_shifted(a, out, k):
    for i in prange(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = a[i, j + k]


def test_a_checked_copy_in_a_prange_body_is_compiled_by_a_worker():
    a = np.arange(64.0).reshape(8, 8)
    out = np.zeros((8, 8))
    rows_shifted(a, out, 0)
    assert np.array_equal(out, a)
    before = rows_shifted.checked_copies_compiled
    with pytest.raises(IndexError, match="index 8 is out of bounds for axis 1 with size 8"):
        rows_shifted(a, out, 1)
    assert rows_shifted.checked_copies_compiled == before + 1


def test_inspect_llvm_lists_the_checked_copies_after_the_function():
    f = jit(shifted_sum)
    f(np.arange(4.0), np.zeros(4), 0)
    (ir,) = f.inspect_llvm().values()
    head, cold = ir.split("; `shifted_sum.checked0`: a checked copy of a loop", 1)
    assert "shifted_sum.checked0" in head  # the slot the function calls through
    assert "compiled when a call first runs it" in cold
    assert "define" in cold
    (asm,) = f.inspect_asm().values()
    assert "# `shifted_sum.checked0`: a checked copy of a loop" in asm


def rebound_after(a, k):
    # `k` is a parameter set once more, to a constant, after the loop: the
    # checked copy (run for k < 0) reads the argument, not that constant.
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i + k]
    k = 1
    return s * k


def counter_read_after(a, n):
    i = 0
    for i in range(n):
        a[i] = 1.0
    for j in range(a.shape[0] - 3):
        a[j + i] += 2.0
    return i


@pytest.mark.parametrize("k", [-2, 0])
def test_a_parameter_rebound_to_a_constant_is_its_argument_before(k):
    a = np.arange(4.0)
    assert jit(rebound_after)(a, k) == rebound_after(a, k)


@pytest.mark.parametrize("n", [0, 2, 3, 4])
def test_a_loop_counter_set_once_elsewhere_is_no_constant(n):
    want, got = np.zeros(6), np.zeros(6)
    try:
        expected = (None, counter_read_after(want, n))
    except IndexError as e:
        expected = (str(e), None)
    try:
        result = (None, jit(counter_read_after)(got, n))
    except IndexError as e:
        result = (str(e), None)
    assert result == expected
    assert np.array_equal(got, want)


@jit
def recursive_window(a, lo, depth):
    # A negative `lo` runs the loop's checked copy, which calls the function
    # again: its own module calls the same checked copy, compiled once.
    s = 0.0
    for i in range(lo, lo + 2):
        s += a[i]
        if depth > 0 and i == lo:
            s += recursive_window(a, lo - 1, depth - 1)
    return s


def test_a_checked_copy_reached_again_through_recursion_is_the_same_code():
    a = np.arange(10.0)
    assert recursive_window(a, 3, 3) == recursive_window.py_func(a, 3, 3)
    assert recursive_window.checked_copies_compiled == 0
    assert recursive_window(a, -1, 6) == recursive_window.py_func(a, -1, 6)
    assert recursive_window.checked_copies_compiled == 1
    with pytest.raises(IndexError, match="index -11 is out of bounds for axis 0 with size 10"):
        recursive_window(a, -1, 12)


def test_time_stages_print_the_compile_of_a_checked_copy_when_it_runs(tmp_path):
    script = tmp_path / "kernel.py"
    script.write_text(
        "import sys\n"
        "import numpy as np\n"
        "from ferrojit import jit\n"
        "@jit\n"
        "def f(a, out, k):\n"
        "    for i in range(a.shape[0]):\n"
        "        out[i] = a[i + k]\n"
        "a, out = np.arange(4.0), np.zeros(4)\n"
        "f(a, out, 0)\n"
        "print('-- first call done', file=sys.stderr, flush=True)\n"
        "try:\n"
        "    f(a, out, 1)\n"
        "except IndexError:\n"
        "    pass\n"
    )
    env = dict(os.environ, FERROJIT_TIME_STAGES="1")
    run = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    before, after = run.stderr.split("-- first call done")
    assert "ferrojit time jit " in before and "checked-copy" not in before, run.stderr
    (line,) = [l for l in after.splitlines() if l.startswith("ferrojit time checked-copy ")]
    assert line.split()[4] == "f.checked0" and float(line.split()[3]) > 0, line


def test_a_checked_copy_compiles_on_a_thread_with_a_small_stack(tmp_path):
    # The compile runs on a stack segment of its own (stacker), not on what is
    # left of the calling thread's 64 KiB: the checked copy holds an elif
    # chain of 1000 arms, 1000 nested `if`s in the low IR.
    arms = "".join(f"        elif k == {j}:\n            s += a[i + {j % 3}]\n" for j in range(1, 1000))
    script = tmp_path / "small_stack.py"
    script.write_text(
        "import sys, threading\n"
        "import numpy as np\n"
        "from ferrojit import jit\n"
        "@jit\n"
        "def f(a, n, k):\n"
        "    s = 0.0\n"
        "    for i in range(n):\n"
        "        if k == 0:\n"
        "            s += a[i]\n"
        f"{arms}"
        "    return s\n"
        "a = np.arange(10.0)\n"
        "assert f(a, 5, 7) == f.py_func(a, 5, 7)\n"
        "assert f.checked_copies_compiled == 0\n"
        "out = []\n"
        "def run():\n"
        "    try:\n"
        "        f(a, 11, 0)\n"
        "    except IndexError as e:\n"
        "        out.append(str(e))\n"
        "threading.stack_size(64 * 1024)\n"
        "t = threading.Thread(target=run)\n"
        "t.start()\n"
        "t.join()\n"
        "assert out == ['index 10 is out of bounds for axis 0 with size 10'], out\n"
        "assert f.checked_copies_compiled == 1\n"
        "print('ok')\n"
    )
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-2000:]


@jit
def window_sum(a, k):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i + k]
    return s


@jit
def weighted_windows(a, b, k):
    # The checked copy of this loop calls `window_sum`, whose own checked
    # copy runs for the same `k`: two cold functions of one module.
    t = 0.0
    for j in range(b.shape[0]):
        t += b[j + k] * window_sum(a, k)
    return t


def test_a_checked_copy_calling_a_function_that_runs_its_own():
    a, b = np.arange(5.0), np.arange(3.0)
    assert weighted_windows(a, b, 0) == weighted_windows.py_func(a, b, 0)
    assert weighted_windows.checked_copies_compiled == 0
    assert weighted_windows(a, b, -1) == weighted_windows.py_func(a, b, -1)
    assert weighted_windows.checked_copies_compiled == 2
    frames = []
    for f in (weighted_windows, weighted_windows.py_func):
        with pytest.raises(IndexError, match="index 5 is out of bounds for axis 0 with size 5") as e:
            f(a, b, 1)
        frames.append([(s.name, s.lineno) for s in traceback.extract_tb(e.value.__traceback__)][1:])
    assert frames[0] == frames[1]
