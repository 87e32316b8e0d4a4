"""Default parameter values and keyword arguments, from Python and between `@jit` functions."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit


@jit
def scaled(a, n=3, *, scale=1.0):
    s = 0.0
    for i in range(min(n, len(a))):
        s += a[i] * scale
    return s


CALLS = [
    ((np.arange(5.0),), {}),
    ((np.arange(5.0), 5), {}),
    ((np.arange(5.0),), {"scale": 2.0}),
    ((), {"n": 2, "a": np.arange(5.0)}),
    ((np.arange(5.0), 1), {"scale": -1.5}),
]


@pytest.mark.parametrize("args, kwargs", CALLS)
def test_python_calls_bind_like_cpython(args, kwargs):
    assert scaled(*args, **kwargs) == scaled.py_func(*args, **kwargs)


def test_a_default_and_the_same_value_passed_share_a_specialization():
    @jit
    def f(a, n=3):
        return a[0] * n

    a = np.ones(2)
    f(a)
    f(a, 3)
    f(a, n=4)
    assert len(f.signatures) == 1


BAD_CALLS = [
    ((), {}),
    ((np.ones(2), 1, 2), {}),
    ((np.ones(2),), {"x": 1}),
    ((np.ones(2),), {"a": np.ones(2)}),
    ((np.ones(2), 1, 2), {"scale": 1.0}),
]


@pytest.mark.parametrize("args, kwargs", BAD_CALLS)
def test_bad_python_calls_raise_cpythons_type_error(args, kwargs):
    with pytest.raises(TypeError) as got:
        scaled(*args, **kwargs)
    with pytest.raises(TypeError) as want:
        scaled.py_func(*args, **kwargs)
    assert str(got.value) == str(want.value)


def test_missing_keyword_only_argument():
    @jit
    def f(a, *, k):
        return a + k

    with pytest.raises(TypeError) as got:
        f(1)
    with pytest.raises(TypeError) as want:
        f.py_func(1)
    assert str(got.value) == str(want.value)
    assert f(1, k=2) == 3


@jit
def helper(a, n=3, *, scale=1.0, offset=(1, 2)):
    return a[0] * n * scale + offset[0] + offset[1]


@jit
def caller(a):
    return (
        helper(a),
        helper(a, 5),
        helper(a, scale=2.0),
        helper(n=2, a=a),
        helper(a, offset=(0, 0), n=1),
    )


def test_jit_to_jit_calls_bind_keywords_and_defaults():
    a = np.array([2.0, 1.0])
    assert caller(a) == caller.py_func(a)


@jit
def pair(x, y=0, *, z=0):
    return x * 100 + y * 10 + z


@jit
def keyword_order(a):
    # Arguments are evaluated in source order, whatever order they bind in.
    return pair(z=a[0], x=a[1]), pair(a[2], z=a[0], y=a[1])


def test_keyword_arguments_are_evaluated_in_source_order():
    a = np.array([1, 2, 3])
    assert keyword_order(a) == keyword_order.py_func(a)


@jit
def target(a, n=3, *, scale=1.0):
    return n * scale


def missing(a):
    return target()


def too_many(a):
    return target(a, 1, 2)


def unexpected(a):
    return target(a, x=1)


def twice(a):
    return target(a, a=a)


@pytest.mark.parametrize("bad", [missing, too_many, unexpected, twice])
def test_bad_jit_to_jit_calls_are_compile_errors_with_cpythons_message(bad):
    with pytest.raises(TypeError) as want:
        bad(np.ones(2))
    with pytest.raises(ferrojit.CompileError) as got:
        jit(bad)(np.ones(2))
    assert str(want.value) in str(got.value)


def test_array_default_is_rejected_clearly():
    def f(a, w=np.ones(3)):
        return a

    with pytest.raises(ferrojit.CompileError) as info:
        jit(f)(1.0)
    assert "NumPy array defaults" in str(info.value)
