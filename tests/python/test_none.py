"""`None` as a default value and as an argument, from Python and between @jit
functions, and `x is None` / `x is not None`, which are decided at compile time
from `x`'s type: an `if` (or `a if x is None else b`) on a parameter `x` keeps
only the branch that runs, so the other may hold code that would not type-check
(as in Numba). A parameter passed `None` has the type of what is assigned to
it; a read that may see the `None` or an assigned value is a compile error.
Each result must equal CPython's (`f.py_func`)."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit


def same(got, expected):
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    else:
        assert type(got) is type(expected)
        assert got == expected


@jit
def double(a, out=None):
    if out is None:
        out = np.empty_like(a)
    for i in range(a.shape[0]):
        out[i] = 2 * a[i]
    return out


def test_out_none_allocates():
    a = np.arange(5.0)
    same(double(a), double.py_func(a))
    same(double(a, None), double.py_func(a, None))
    same(double(a, out=None), double.py_func(a, out=None))


def test_out_given_is_written_and_returned():
    a = np.arange(5.0)
    out = np.zeros(5)
    assert double(a, out) is out
    assert double(a, out=out) is out
    same(out, 2 * a)


def test_none_and_an_array_are_two_specializations():
    a = np.arange(3.0)
    double(a)
    double(a, np.empty(3))
    double(a, None)
    sigs = [tuple(str(t) for t in s) for s in double.signatures]
    assert ("array(float64, 1d, C)", "none") in sigs
    assert ("array(float64, 1d, C)", "array(float64, 1d, C)") in sigs
    assert len(sigs) == 2


@jit
def scaled(x, scale=None, shift=None):
    if scale is not None:
        x = x * scale
    if shift is None:
        return x
    return x + shift


@pytest.mark.parametrize(
    "args, kwargs",
    [((3.0,), {}), ((3.0, 2.0), {}), ((3.0, None, 1.5), {}), ((3.0,), {"shift": 1}), ((2,), {"scale": 4})],
)
def test_is_not_none_on_scalars(args, kwargs):
    same(scaled(*args, **kwargs), scaled.py_func(*args, **kwargs))


@jit
def through(a, out=None):
    # None passed on to a callee's out=None, by position and by keyword.
    return double(a, out), double(a, out=out), double(a)


def test_none_passed_between_jit_functions():
    a = np.arange(4.0)
    for got, expected in zip(through(a), through.py_func(a)):
        same(got, expected)
    out = np.zeros(4)
    got = through(a, out)
    assert got[0] is out and got[1] is out and got[2] is not out


@jit
def ternary(a, out=None):
    out = np.zeros_like(a) if out is None else out
    out[0] = 7.0
    return out


def test_if_expression_on_none_keeps_the_branch_that_runs():
    a = np.arange(3.0)
    same(ternary(a), ternary.py_func(a))
    out = np.ones(3)
    assert ternary(a, out) is out
    same(out, np.array([7.0, 1.0, 1.0]))


@jit
def never_none(a):
    if a is None:
        # Would not type-check: pruned, since an array is never None.
        return a + "text"
    return a[0]


def test_pruned_branch_is_not_typed():
    a = np.arange(3.0) + 1
    assert never_none(a) == never_none.py_func(a) == 1.0


@jit
def early_return(a, out=None):
    if out is None:
        return a.copy()
    out[:] = a
    return out


def test_code_after_a_pruned_return_is_not_typed():
    a = np.arange(3.0)
    same(early_return(a), early_return.py_func(a))
    out = np.zeros(3)
    assert early_return(a, out) is out


@jit
def returns_none(x=None):
    if x is None:
        return None
    return x


@jit
def identity(x):
    return x


def test_returning_none():
    assert returns_none() is None
    assert returns_none(2.5) == 2.5
    assert identity(None) is None


@jit
def flags(x=None):
    return x is None, x is not None, None is x


@pytest.mark.parametrize("x", [None, 1, 2.0, np.arange(2)])
def test_is_none_as_a_value(x):
    assert flags(x) == flags.py_func(x)


@jit
def none_as_number(x=None):
    return x + 1


def test_none_read_as_a_number_is_a_compile_error():
    with pytest.raises(ferrojit.TypingError) as e:
        none_as_number()
    message = str(e.value)
    assert "error[E0205]: unsupported operand types for `+`" in message
    assert "`x` is none, `1` is int64" in message
    assert none_as_number(2) == 3


@jit
def none_as_array(a, out=None):
    out[0] = a[0]
    return out


def test_none_indexed_is_a_compile_error():
    with pytest.raises(ferrojit.TypingError) as e:
        none_as_array(np.arange(2.0))
    assert "`out` is none" in str(e.value)


@jit
def assigned_in_a_loop(a, out=None):
    for i in range(a.shape[0]):
        if out is None:
            out = np.empty_like(a)
        out[i] = a[i]
    return out


def test_read_that_may_see_none_or_a_value_is_a_compile_error():
    with pytest.raises(ferrojit.TypingError) as e:
        assigned_in_a_loop(np.arange(3.0))
    message = str(e.value)
    assert "error[E0237]: `out` may be None here" in message
    assert "`out` is None on some paths to here, assigned on others" in message
    assert message.count("error[E0237]") == 3
    # Given an array, `out` is never None: nothing to decide.
    a = np.arange(3.0)
    out = np.zeros(3)
    assert assigned_in_a_loop(a, out) is out


@jit
def identity_compare(a, b):
    return a is b


def test_is_with_anything_but_none_is_rejected():
    with pytest.raises(ferrojit.UnsupportedError) as e:
        identity_compare(1, 2)
    assert "error[E0109]: `is` compares only with `None`: `x is None`, `x is not None`" in str(e.value)
