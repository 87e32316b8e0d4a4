"""Bounds checks stay exact: no proof or hoisted check may let an access leave its array.

Each case runs in a fresh interpreter, so a read or write outside an array that
crashes fails that case instead of the whole run. `same(f, *args)` requires the
compiled function to return what CPython returns, or raise the same exception
type with the same message. Where the index CPython computes does not fit in
int64, ferrojit's int64 arithmetic wraps (docs/language.md), and the case states
what the checked code raises instead.
"""

from script_case import run_script

PRELUDE = '''
import numpy as np
from ferrojit import jit


def outcome(f, *args):
    try:
        return ("value", f(*args))
    except Exception as e:
        return (type(e).__name__, str(e))


def same(f, *args):
    """f and f.py_func give the same value or the same exception; returns it."""
    expected = outcome(f.py_func, *[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    got = outcome(f, *args)
    assert got == expected, f"{f.py_func.__name__}{args}: jit {got}, CPython {expected}"
    return got


def raises(exc, message, f, *args):
    got = outcome(f, *args)
    assert got == (exc.__name__, message), f"{f.py_func.__name__}{args}: {got}"
'''


def run_case(tmp_path, body, timeout=180):
    run_script(tmp_path, PRELUDE, body, timeout)


def test_versioned_loop_conditions_do_not_wrap(tmp_path):
    run_case(tmp_path, """
    @jit
    def total(a, c, n):
        s = 0.0
        for i in range(n):
            s += a[i + c]
        return s

    @jit
    def fill(a, c, n):
        for i in range(n):
            a[i + c] = 7.0

    @jit
    def bump(a, c, n):
        for i in range(n):
            a[i + c] += 1.0

    @jit
    def span(a, c, lo, hi):
        s = 0.0
        for i in range(lo, hi):
            s += a[i + c]
        return s

    @jit
    def back(a, c, lo, hi):
        s = 0.0
        for i in range(lo, hi):
            s += a[i - c]
        return s

    a = np.arange(10.0)
    same(total, a, 2**63 - 1, 2)                 # the first index is out of range
    same(total, a, -2**63, 2)
    same(total, a, 5, 2**63 - 1)                 # the last index wraps: raises at index 10
    same(total, a, 3, 5)
    same(fill, np.zeros(4), 2**63 - 1, 2)
    same(fill, np.zeros(10), 2**63 - 10**6, 10**6 + 2)
    same(fill, np.zeros(10), 5, 2**63 - 1)
    same(bump, np.zeros(10), 5, 2**63 - 1)
    same(bump, np.zeros(10), 2**63 - 1, 2)
    same(back, a, -2**63, -2**63, -2**63 + 20)   # -c overflows, the indices do not
    same(back, a, -2**63, -2**63, -2**63 + 10)
    # The first index wraps from -2**63 - 1 to 2**63 - 1, which the check reports.
    raises(IndexError, "index 9223372036854775807 is out of bounds for axis 0 with size 10",
           span, a, -2**63, -1, 5)
    b = np.zeros(10)
    fill(b, 3, 5)
    assert (b[3:8] == 7.0).all() and b.sum() == 35.0
    """)


def test_nest_conditions_do_not_wrap(tmp_path):
    run_case(tmp_path, """
    @jit
    def nest(a, c, n, m):
        s = 0.0
        for i in range(n):
            for j in range(m):
                s += a[i + j + c]
        return s

    @jit
    def doubled(a, c, n, m):
        s = 0.0
        for i in range(n):
            for j in range(m):
                s += a[2 * i + j + c]
        return s

    @jit
    def rows(b, c, n, m):
        for i in range(n):
            for j in range(m):
                b[i + c, j] += 1.0

    @jit
    def under(a, c, n, m):
        s = 0.0
        for i in range(n):
            for j in range(m):
                s += a[i + j - c]
        return s

    a = np.arange(10.0)
    same(nest, a, 5, 2**62, 2**62)           # greatest index 2**63 + 3 wraps
    same(nest, a, 2**63 - 1, 2, 2)
    same(nest, a, 1, 3, 3)
    same(doubled, a, 0, 2**62 + 1, 1)        # 2 * (n - 1) wraps
    same(doubled, a, 1, 4, 2)
    same(rows, np.zeros((3, 3)), 2, 2**63 - 1, 3)
    same(rows, np.zeros((3, 3)), 0, 3, 3)
    same(under, a, -2**63 + 1, 2, 2)
    same(under, a, -5, 2**62, 2**62)
    """)


def test_range_facts_that_wrap_prove_nothing(tmp_path):
    run_case(tmp_path, """
    @jit
    def window(a, x):
        c = max(x, 0)
        s = 0.0
        # With c = 2**63 - 1 both bounds wrap and the loop runs from -2**63 + 4:
        # `i - c - 5` wraps to 0, 1, 2, ... which the check must stop at 3.
        for i in range(c + 5, -c - 10):
            s += a[i - c - 5]
        return s

    @jit
    def halves(a, x):
        h = (len(a) + x) // 2
        s = 0.0
        for i in range(h):
            s += a[i]
        return s

    a = np.arange(3.0)
    same(window, a, 3)
    raises(IndexError, "index 3 is out of bounds for axis 0 with size 3", window, a, 2**63 - 1)
    same(halves, a, 2)
    # len(a) + x wraps to a negative number: the loop does not run.
    assert halves(a, 2**63 - 1) == 0.0
    same(halves, a, 2**62)
    """)


def test_facts_of_a_local_do_not_reach_reads_before_its_assignment(tmp_path):
    run_case(tmp_path, """
    @jit
    def early(a):
        s = 0.0
        for i in range(1, len(a)):
            s += a[n - i]
        n = len(a) - 1
        return s

    # `a` is a view with sentinels on both sides: a read outside it shows.
    big = np.full(30, 1e300)
    big[10:20] = 1.0
    a = big[10:20]
    expected = outcome(early.py_func, a)
    assert expected[0] == "UnboundLocalError", expected
    assert outcome(early, a) == expected

    @jit
    def stale(a):
        s = 0.0
        n = 100
        for i in range(1, len(a)):
            s += a[n - i]
            n = len(a) - 1
        return s

    same(stale, a)
    """)


def test_every_index_is_evaluated_before_any_check(tmp_path):
    run_case(tmp_path, """
    @jit
    def load(b, k):
        i = 3
        return b[5, i // k]

    @jit
    def store(b, k):
        i = 3
        b[5, i // k] = 1.0

    @jit
    def update(b, k):
        i = 3
        b[5, i // k] += 1.0

    @jit
    def mark(log, v):
        log[0] = v
        return 0

    @jit
    def side(b, log):
        return b[7, mark(log, 1.0)]

    @jit
    def value_first(a, k):
        a[10] = 1 // k

    @jit
    def load_before_value(a, k):
        a[10] += 1 // k

    b = np.zeros((5, 6))
    for f in (load, store, update):
        assert same(f, b, 0)[0] == "ZeroDivisionError"
        assert same(f, b, 1)[0] == "IndexError"
    log = np.zeros(1)
    log_py = np.zeros(1)
    assert outcome(side.py_func, b, log_py) == outcome(side, b, log)
    assert log[0] == log_py[0] == 1.0
    a = np.zeros(3)
    assert same(value_first, a, 0)[0] == "ZeroDivisionError"
    assert same(load_before_value, a, 0)[0] == "IndexError"
    """)


def test_unsigned_indices_never_wrap(tmp_path):
    run_case(tmp_path, """
    @jit
    def get(a, i):
        return a[i]

    @jit
    def put(a, i):
        a[i] = 1.0

    @jit
    def get2(b, i, j):
        return b[i, j]

    @jit
    def from_array(a, idx):
        return a[idx[0]]

    a = np.arange(5.0)
    for i in (np.uint64(2**64 - 1), np.uint64(2**63), np.uint64(7), np.uint64(4),
              np.uint32(2**32 - 1), np.uint16(5), np.uint8(255), np.uint8(0)):
        same(get, a, i)
        same(put, a.copy(), i)
    # NumPy converts every index before it checks any.
    b = np.zeros((2, 2))
    same(get2, b, np.int64(9), np.uint64(2**64 - 1))
    same(get2, b, np.uint64(1), np.int64(-1))
    same(from_array, a, np.array([2**64 - 1], dtype=np.uint64))
    same(from_array, a, np.array([2], dtype=np.uint64))
    """)


def test_unsigned_tuple_indices_never_wrap(tmp_path):
    run_case(tmp_path, """
    @jit
    def item(t, i):
        return t[i]

    t = (1.0, 2.0, 3.0)
    for i in (np.uint64(2**64 - 1), np.uint64(3), np.uint64(2), np.uint8(255), np.uint8(0)):
        same(item, t, i)
    """)


def test_an_extent_that_wraps_negative_is_a_negative_dimension(tmp_path):
    # Fuzz finding 607:10655: `v + v` is non-negative for the range analysis but wraps to
    # -2**63 for v = 2**62; the shape check must still see it (int64 wraps, docs/language.md).
    run_case(tmp_path, """
    @jit
    def wrapped(p0):
        for v in range(p0, 0, -1):
            return np.ones((0, v + v), dtype=np.int8)
        return np.ones((1, 1), dtype=np.int8)

    raises(ValueError, "negative dimensions are not allowed", wrapped, 2**62)
    assert wrapped(3).shape == (0, 6)
    """)


def test_a_versioned_loop_keeps_the_checks_its_condition_did_not_test(tmp_path):
    # Fuzz finding 608:7851: the zip loop is versioned on `a`'s rows; the fast copy took every
    # index of the loop's form as tested, so `a[0:n, 1]` on a (2, 1) array stored out of bounds.
    run_case(tmp_path, """
    @jit
    def column_store(a):
        for x, y in zip(a, range(1)):
            a[0:len(a), 1] = 7

    a = np.zeros((2, 1), dtype=np.int64)
    raises(IndexError, "index 1 is out of bounds for axis 1 with size 1", column_store, a)
    assert a.tolist() == [[0], [0]]
    """)
