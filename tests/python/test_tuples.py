"""Tuples as values: build, index, unpack, nest, pass and return, against CPython."""

import numpy as np
import pytest

from ferrojit import jit


def views(got, a):
    """An argument array returned inside a tuple is the argument's memory.
    (`got is a` is the memory model's rule, tested with it.)"""
    return np.shares_memory(got, a) and got.shape == a.shape and got.dtype == a.dtype


@jit
def mixed(a, n):
    return a, (n, n + 1), a.shape


def test_return_mixes_arrays_numbers_and_tuples():
    a = np.arange(6.0).reshape(2, 3)
    got = mixed(a, 4)
    assert got[1:] == ((4, 5), (2, 3))
    assert views(got[0], a)


@jit
def min_max(a):
    out = np.empty(2)
    lo, hi = a[0], a[0]
    for x in a:
        lo = min(lo, x)
        hi = max(hi, x)
    out[0], out[1] = lo, hi
    return out, lo, hi


def test_return_new_array_with_scalars():
    a = np.array([3.0, -1.0, 7.5, 2.0])
    out, lo, hi = min_max(a)
    np.testing.assert_array_equal(out, [-1.0, 7.5])
    assert (lo, hi) == min_max.py_func(a)[1:]


@jit
def shape_of(a):
    return a.shape


def test_shape_is_a_tuple():
    for shape in [(0,), (3,), (2, 5), (1, 2, 3)]:
        assert shape_of(np.zeros(shape)) == shape


@jit
def nested(a):
    n, m = a.shape
    return (a, (n, m))


def test_nested_tuple_result():
    a = np.ones((3, 4), dtype=np.float32)
    b, (n, m) = nested(a)
    assert views(b, a) and (n, m) == (3, 4)


@jit
def take_pair(p):
    a, (lo, hi) = p
    s = 0.0
    for i in range(lo, hi):
        s += a[i]
    return s


def test_tuple_argument_with_an_array():
    a = np.arange(10.0)
    p = (a, (2, 7))
    assert take_pair(p) == take_pair.py_func(p)


@jit
def index(t, k):
    return t[0], t[-1], t[k]


def test_constant_and_run_time_indices():
    t = (1.5, 2.5, 3.5)
    for k in range(-3, 3):
        assert index(t, k) == index.py_func(t, k)


def test_run_time_index_out_of_range():
    for k in (3, -4):
        with pytest.raises(IndexError) as got:
            index((1.0, 2.0, 3.0), k)
        with pytest.raises(IndexError) as want:
            index.py_func((1.0, 2.0, 3.0), k)
        assert str(got.value) == str(want.value) == "tuple index out of range"


@jit
def inner(a, lo, hi):
    return a, lo, hi


@jit
def outer(a):
    b, lo, hi = inner(a, 1, 2)
    t = inner(a, 3, 4)
    return b[lo] + t[0][hi] + t[1]


def test_tuples_between_jit_functions():
    a = np.arange(8.0)
    assert outer(a) == outer.py_func(a)


@jit
def lengths(t, u):
    return len(t), len(u), len(())


def test_len_of_tuples():
    assert lengths((1, 2, 3), (np.zeros(2), 1.0)) == (3, 2, 0)


@jit
def swap(a, b):
    a, b = b, a
    return a, b


def test_swap_arrays():
    x, y = np.zeros(2), np.ones(3)
    got = swap(x, y)
    assert views(got[0], y) and views(got[1], x)


@jit
def returns_argument_tuple(t):
    return t


def test_returning_a_tuple_argument():
    a = np.arange(3)
    got = returns_argument_tuple((a, 1, (2.5, True)))
    assert views(got[0], a) and got[1:] == (1, (2.5, True))
