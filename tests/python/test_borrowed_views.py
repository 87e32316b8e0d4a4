"""Views of arrays that live for the whole call take no reference (lower/src/borrowed.rs):
a local only ever assigned views of a parameter the function never reassigns, of a
module-level array, or of such a local. These check that the results and the memory rule
are NumPy's and CPython's all the same: each case is run compiled and as plain Python."""

import gc

import numpy as np
import pytest

from ferrojit import jit
from ferrojit._native import live_buffers

TABLE = np.linspace(0.0, 1.0, 12)


@pytest.fixture
def no_leak():
    gc.collect()
    before = live_buffers()
    yield
    gc.collect()
    assert live_buffers() == before, "buffers allocated by compiled code were not freed"


def running_mean(a, w, out):
    for i in range(a.shape[0] - w + 1):
        s = 0.0
        for x in a[i : i + w]:
            s += x
        out[i] = s / w


@pytest.mark.parametrize("w", [1, 3, 7, 40])
@pytest.mark.parametrize("make", [
    lambda: np.arange(30.0),
    lambda: np.arange(60.0)[::2],
    lambda: np.arange(30.0)[::-1],
])
def test_window_views_of_an_argument(make, w, no_leak):
    a = make()
    expected, got = np.zeros(a.shape[0]), np.zeros(a.shape[0])
    running_mean(a, w, expected)
    jit(running_mean)(a, w, got)
    np.testing.assert_array_equal(got, expected)


def rows_and_tails(X, k):
    s = 0.0
    last = X[0]
    for i in range(X.shape[0]):
        row = X[i]
        tail = row[k:]
        for x in tail:
            s += x
        last = tail
    for r in X:
        s += r[-1]
    return s, last


@pytest.mark.parametrize("X", [np.arange(20.0).reshape(4, 5), np.arange(40.0).reshape(5, 8)[:, ::2].T])
def test_views_of_views_returned(X, no_leak):
    s, last = jit(rows_and_tails)(X, 2)
    es, elast = rows_and_tails(X, 2)
    assert s == es
    np.testing.assert_array_equal(last, elast)
    # A view of the argument: NumPy's base is the argument, which it keeps alive.
    assert last.base is X or last.base is X.base
    del X
    gc.collect()
    np.testing.assert_array_equal(last, elast)


def view_of_a_fresh_array(a, n):
    # `v` also holds views of arrays made here: it must keep each alive itself.
    v = a[1:]
    for i in range(n):
        t = np.full(5, float(i))
        v = t[1:]
        t = np.zeros(3)
    return v


def test_view_of_a_fresh_array_outlives_its_variable(no_leak):
    a = np.arange(4.0)
    got = jit(view_of_a_fresh_array)(a, 3)
    np.testing.assert_array_equal(got, view_of_a_fresh_array(a, 3))
    np.testing.assert_array_equal(jit(view_of_a_fresh_array)(a, 0), a[1:])


@jit
def window_sum(x, w):
    best = x[0:w]
    for i in range(x.shape[0] - w + 1):
        v = x[i : i + w]
        if v.sum() > best.sum():
            best = v
    return best


@jit
def windows_of_a_temporary(n, w):
    # The callee's parameter borrows this call's buffer; the view it returns
    # must keep that buffer alive after both calls end.
    return window_sum(np.sin(np.arange(n) * 1.0), w)


def test_view_through_a_callee_keeps_the_buffer(no_leak):
    got = windows_of_a_temporary(50, 4)
    expected = windows_of_a_temporary.py_func(50, 4)
    gc.collect()
    np.testing.assert_array_equal(got, expected)


def global_window(k):
    s = 0.0
    for x in TABLE[k : k + 3]:
        s += x
    v = TABLE[::2]
    return s, v


def test_views_of_a_module_level_array(no_leak):
    s, v = jit(global_window)(4)
    es, ev = global_window(4)
    assert s == es
    np.testing.assert_array_equal(v, ev)


def raises_in_a_window(a, w):
    s = 0.0
    for i in range(a.shape[0]):
        for x in a[i : i + w]:
            s += 1.0 / float(x)
    return s


def test_an_exception_in_a_window_loop(no_leak):
    a = np.array([3.0, 2.0, 1.0, 0.0])
    with pytest.raises(ZeroDivisionError, match="float division by zero"):
        raises_in_a_window(a, 2)
    with pytest.raises(ZeroDivisionError, match="float division by zero"):
        jit(raises_in_a_window)(a, 2)


def swept_rows(u, steps):
    # Row views of arrays that trade places: each view's owner is compared
    # with the one it replaces, and only a changed owner is counted.
    v = u.copy()
    n, m = u.shape
    for _ in range(steps):
        for i in range(1, n - 1):
            up, row, down, out = u[i - 1], u[i], u[i + 1], v[i]
            for j in range(1, m - 1):
                out[j] = 0.25 * (up[j] + down[j] + row[j - 1] + row[j + 1])
        u, v = v, u
    return u, v, up


@pytest.mark.parametrize("steps", [0, 1, 2, 5])
def test_row_views_of_swapped_arrays(steps, no_leak):
    u = np.random.default_rng(3).random((7, 9))
    if steps == 0:
        with pytest.raises(UnboundLocalError):
            swept_rows(u.copy(), steps)
        with pytest.raises(UnboundLocalError):
            jit(swept_rows)(u.copy(), steps)
        return
    got = jit(swept_rows)(u.copy(), steps)
    expected = swept_rows(u.copy(), steps)
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)
    # `up` views the array `v` holds after the last swap (or the argument).
    del u
    gc.collect()
    np.testing.assert_array_equal(got[2], expected[2])


def same_owner_twice(n):
    # Views of a buffer made here, so counted: unpacking swaps views of one
    # owner, then gives `x` a view of the array it already views.
    a = np.arange(n) * 1.0
    x, y = a[1:], a[:-1]
    x, y = y, x
    x, x2 = x[1:], x
    return x, y, x2


def test_unpacking_views_of_one_array(no_leak):
    for g, e in zip(jit(same_owner_twice)(6), same_owner_twice(6)):
        np.testing.assert_array_equal(g, e)
