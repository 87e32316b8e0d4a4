"""Unbound locals, type inference convergence and limits, options of `@jit` callees.

Each result is compared with CPython's (`f.py_func`): the value, or the exception's
type and message. Cases that used to crash the interpreter run in a subprocess.
"""

import sys

import numpy as np
import pytest

import ferrojit
from ferrojit import jit

from test_no_crash import run_case


def outcome(f, *args):
    """`("value", result)` or `("raised", exception type, message)`."""
    try:
        result = f(*args)
    except Exception as e:  # noqa: BLE001 - any exception is an outcome to compare
        return ("raised", type(e), str(e))
    if isinstance(result, np.ndarray):
        return ("value", result.tolist())
    return ("value", result)


def same_as_cpython(f, *args):
    got, want = outcome(f, *args), outcome(f.py_func, *args)
    assert got == want, f"{f.__name__}{args}: ferrojit {got}, CPython {want}"
    return got


def unbound(name):
    if sys.version_info >= (3, 11):
        return f"cannot access local variable '{name}' where it is not associated with a value"
    return f"local variable '{name}' referenced before assignment"


# --- unbound locals --------------------------------------------------------


@jit
def last(n):
    for i in range(n):
        pass
    return i


@jit
def store_maybe(c, n):
    if c:
        a = np.zeros(n)
    a[0] = 5.0
    return 1


def test_for_variable_of_an_empty_range_is_unbound():
    assert same_as_cpython(last, 3) == ("value", 2)
    assert same_as_cpython(last, 0) == ("raised", UnboundLocalError, unbound("i"))
    assert same_as_cpython(last, -5)[1] is UnboundLocalError


def test_array_assigned_on_one_branch_only(tmp_path):
    # Used to be a SIGSEGV: runs in a subprocess so a regression fails one test.
    run_case(tmp_path, f"""
    @jit
    def g(c, n):
        if c:
            a = np.zeros(n)
        a[0] = 5.0
        return 1

    @jit
    def h(c, n):
        if c:
            a = np.zeros(n)
        for i in range(n):
            a[i] = 1.0
        return a

    assert g(True, 3) == 1
    e = raises(UnboundLocalError, g, False, 3)
    assert str(e) == {unbound("a")!r}, str(e)
    assert h(True, 3).tolist() == [1.0, 1.0, 1.0]
    e = raises(UnboundLocalError, h, False, 3)
    assert str(e) == {unbound("a")!r}, str(e)
    """)


def test_array_read_maybe_unbound_in_process():
    assert same_as_cpython(store_maybe, True, 2) == ("value", 1)
    assert same_as_cpython(store_maybe, False, 2)[1] is UnboundLocalError


@jit
def later_iteration(n):
    # `prev` is read in iteration 2 after iteration 1 assigned it: fine.
    total = 0
    for k in range(n):
        if k > 0:
            total += prev
        prev = k * 10
    return total


@jit
def wrong_first_iteration(n):
    total = 0
    for k in range(n):
        if k % 2 == 0:
            total += prev
        prev = k
    return total


@jit
def while_break(n):
    while True:
        if n > 5:
            found = n
            break
        n += 1
    return found


@jit
def while_maybe(n):
    k = 0
    while k < n:
        last_k = k
        k += 1
    return last_k


@jit
def via_continue(n):
    for i in range(n):
        if i < 2:
            continue
        seen = i
    return seen


@jit
def via_return(c):
    if c > 0:
        x = 1.5
    elif c < 0:
        return -1.0
    return x


@jit
def unpacked(c):
    if c:
        p, (q, r) = 1, (2.5, 3)
    return p + q + r


@jit
def complex_local(c):
    if c:
        z = 1 + 2j
    return z * 2


@jit
def tuple_local(c):
    if c:
        t = (1, 2.5)
    return t


@jit
def aug_unbound(c):
    if c:
        s = 1
    s += 2
    return s


@jit
def aug_rhs_first(c):
    # CPython reads `s` before evaluating the right side.
    if c:
        s = 1
    s += 1 // 0
    return s


@jit
def unbound_in_condition(n):
    for i in range(n):
        flag = i > 1
    if n > 2 and flag:
        return 1
    return 0


@jit
def int_or_float_on_paths(c):
    # Assigned an int on one path and a float on another: one float local.
    if c == 1:
        v = 1
    elif c == 2:
        v = 2.5
    return v


@jit
def assigned_after_read_in_loop(n):
    k = 0
    out = 0.0
    while k < n:
        if k > 0:
            out += later
        later = k * 0.5
        k += 1
    return out


@pytest.mark.parametrize(
    "f, args",
    [
        (later_iteration, (0,)),
        (later_iteration, (4,)),
        (wrong_first_iteration, (0,)),
        (wrong_first_iteration, (3,)),
        (while_break, (2,)),
        (while_break, (9,)),
        (while_maybe, (0,)),
        (while_maybe, (3,)),
        (via_continue, (2,)),
        (via_continue, (5,)),
        (via_return, (1,)),
        (via_return, (-1,)),
        (via_return, (0,)),
        (unpacked, (True,)),
        (unpacked, (False,)),
        (complex_local, (True,)),
        (complex_local, (False,)),
        (tuple_local, (True,)),
        (tuple_local, (False,)),
        (aug_unbound, (True,)),
        (aug_unbound, (False,)),
        (aug_rhs_first, (False,)),
        (aug_rhs_first, (True,)),
        (unbound_in_condition, (0,)),
        (unbound_in_condition, (3,)),
        (int_or_float_on_paths, (1,)),
        (int_or_float_on_paths, (2,)),
        (int_or_float_on_paths, (3,)),
        (assigned_after_read_in_loop, (0,)),
        (assigned_after_read_in_loop, (4,)),
    ],
)
def test_reads_on_paths_where_a_local_may_be_unbound(f, args):
    same_as_cpython(f, *args)


def test_unbound_local_error_can_be_raised_by_name():
    @jit
    def r(c):
        if c:
            raise UnboundLocalError("explicit")
        return 0

    assert same_as_cpython(r, True) == ("raised", UnboundLocalError, "explicit")


# --- type inference converges; types have a size limit ---------------------


def chain_source(n):
    inits = "; ".join(f"x{i} = 0" for i in range(n))
    links = "; ".join(f"x{i} = x{i + 1}" for i in range(n - 1))
    return (
        "from ferrojit import jit\n\n\n@jit\n"
        f"def chain(n):\n    {inits}\n    for i in range(n):\n        {links}; x{n - 1} = 1.5\n    return x0\n"
    )


@pytest.mark.parametrize("n", [250, 600])
def test_long_loop_carried_chain_converges(tmp_path, n):
    # x0 becomes a float only after n iterations: inference needs n sweeps.
    path = tmp_path / f"chain{n}.py"
    path.write_text(chain_source(n))
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"chain{n}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for iterations in (0, 1, n - 1, n, n + 5):
        got = same_as_cpython(module.chain, iterations)
        assert type(module.chain(iterations)) is float
    assert got == ("value", 1.5)


def test_nested_tuple_signature_too_large_is_a_compile_error():
    def f(t):
        return 0

    # 1000 ** 3 = 10 ** 9 numbers once expanded: refused before expanding.
    huge = "int64(UniTuple(UniTuple(UniTuple(int64, 1000), 1000), 1000))"
    with pytest.raises(ferrojit.CompileError, match=r"E0233.*") as e:
        jit(huge)(f)
    assert "holds 1001001 numbers, arrays and tuples; at most 1024" in str(e.value)
    wide = "int64((" + ", ".join(["UniTuple(int64, 600)"] * 2) + ",))"
    with pytest.raises(ferrojit.CompileError, match="at most 1024"):
        jit(wide)(f)
    ok = jit("int64(UniTuple(UniTuple(int64, 30), 30))")(f)
    t = tuple(tuple(range(30)) for _ in range(30))
    assert ok(t) == 0


def test_deeply_shared_tuple_argument_is_refused_before_expanding(tmp_path):
    # 2 ** 30 leaves if flattened: a TypeError naming the argument, at once.
    run_case(tmp_path, """
    import time

    @jit
    def ident(x):
        return 0

    t = 1
    for _ in range(30):
        t = (t, t)
    start = time.perf_counter()
    raises(TypeError, ident, t, match="too large")
    assert time.perf_counter() - start < 5
    t = 1
    for _ in range(9):
        t = (t, t)
    assert ident(t) == 0
    """)


# --- options of a @jit callee apply to its own body -------------------------


@jit(error_model="numpy")
def div_numpy(a, b):
    return a / b


@jit
def div_python(a, b):
    return a / b


@jit
def caller_python(a, b):
    return div_numpy(a, b)


@jit(error_model="numpy")
def caller_numpy(a, b):
    return div_python(a, b)


@jit(error_model="numpy")
def caller_numpy_both(a, b):
    return div_numpy(a, b) + a / b


@jit(boundscheck=False, wraparound=False)
def get_unchecked(a, i):
    return a[i]


@jit
def get_checked(a, i):
    return a[i]


@jit
def checked_caller(a, i):
    # The callee reads without a check; the caller's own read keeps its check.
    return get_unchecked(a, 0) + a[i]


@jit(boundscheck=False, wraparound=False)
def unchecked_caller(a, i):
    return get_checked(a, i)


@jit(fastmath=True)
def fast_sum(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i]
    return s


@jit
def strict_caller(a):
    return fast_sum(a)


def test_numpy_error_model_callee_in_python_model_caller():
    assert caller_python(1.0, 0.0) == np.inf
    assert np.isnan(caller_python(0.0, 0.0))
    assert caller_python(1.0, 4.0) == 0.25


def test_python_error_model_callee_in_numpy_model_caller():
    with pytest.raises(ZeroDivisionError, match="float division by zero"):
        caller_numpy(1.0, 0.0)
    assert caller_numpy(1.0, 4.0) == 0.25
    assert caller_numpy_both(1.0, 0.0) == np.inf


def test_boundscheck_options_stay_with_their_function():
    a = np.arange(5.0)
    assert checked_caller(a, -1) == 4.0
    with pytest.raises(IndexError, match="index 7 is out of bounds for axis 0 with size 5"):
        checked_caller(a, 7)
    # The unchecked caller cannot switch off the callee's check or wraparound.
    assert unchecked_caller(a, -1) == 4.0
    with pytest.raises(IndexError, match="index 5 is out of bounds for axis 0 with size 5"):
        unchecked_caller(a, 5)


def test_fastmath_callee_in_strict_caller():
    a = np.arange(100.0)
    assert strict_caller(a) == fast_sum(a) == a.sum()


def test_two_callers_with_different_options_share_a_callee():
    # One module per entry: each caller compiles the callee with the callee's options.
    assert caller_python(2.0, 0.0) == np.inf
    assert caller_numpy_both(2.0, 0.0) == np.inf
    with pytest.raises(ZeroDivisionError):
        caller_numpy(2.0, 0.0)
    assert div_numpy(2.0, 0.0) == np.inf
    with pytest.raises(ZeroDivisionError):
        div_python(2.0, 0.0)
