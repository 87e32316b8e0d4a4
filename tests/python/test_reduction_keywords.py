"""NumPy's keywords of reductions, `dtype=`, `keepdims=` and `ddof=`, against
NumPy running the same function (`f.py_func`), and their errors."""

import warnings

import numpy as np
import pytest

from ferrojit import jit, CompileError


@jit
def sums_in(a):
    return (np.sum(a, dtype=np.int8), a.sum(dtype=np.float32), np.prod(a, dtype=np.int64),
            np.mean(a, dtype=np.float32), a.std(dtype=np.float64), np.nansum(a, dtype=np.int16))


@jit
def cumulative_in(a):
    return np.cumsum(a, dtype=np.int32), a.cumprod(dtype=np.float32)


@jit
def kept(a):
    return (np.sum(a, keepdims=True), a.max(axis=0, keepdims=True), np.mean(a, axis=-1, keepdims=True),
            np.argmax(a, axis=0, keepdims=True), a.any(keepdims=True), np.std(a, axis=0, keepdims=True),
            np.sum(a, axis=0, keepdims=False))


@jit
def with_ddof(a, k):
    return np.std(a, ddof=1), a.var(ddof=k), np.var(a, axis=0, ddof=1)


@jit
def softmax_rows(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def layouts(a):
    yield a
    yield np.asfortranarray(a)
    yield a[::-1, ::2] if a.ndim == 2 else a[::-2]


def check(got, want, strides=True):
    """`strides`: compare them too (NumPy's results of C-ordered inputs are
    C-ordered; of others, they follow the input's order, where ferrojit's are C)."""
    if isinstance(want, tuple):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            check(g, w, strides)
        return
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert got.flags.c_contiguous
        assert got.strides == want.strides or not strides
        np.testing.assert_allclose(got, want, rtol=1e-6 if want.dtype == np.float32 else 1e-12)
        return
    np.testing.assert_allclose(got, want, rtol=1e-6 if np.asarray(want).dtype == np.float32 else 1e-12)
    if isinstance(want, np.integer):
        assert type(got) is int and got == want


@pytest.mark.parametrize("a", [
    np.array([100, 100, 7, -3], np.int8),
    np.array([1.7, -2.6, 300.2, 0.5]),
    np.arange(12, dtype=np.int64),
    np.array([0.25, 1.5, -3.0], np.float32),
])
def test_dtype_converts_elements_then_reduces_in_it(a):
    check(sums_in(a), sums_in.py_func(a))
    check(cumulative_in(a), cumulative_in.py_func(a))


def test_integer_dtype_wraps_as_numpy():
    a = np.array([100, 100], np.int8)
    assert sums_in(a)[0] == -56 == sums_in.py_func(a)[0]


@pytest.mark.parametrize("a", [
    np.arange(-5.0, 7.0).reshape(3, 4),
    np.linspace(-1, 2, 24).reshape(2, 3, 4),
    np.arange(6, dtype=np.int32).reshape(2, 3),
])
def test_keepdims_keeps_the_reduced_axes_with_length_one(a):
    for x in layouts(a):
        check(kept(x), kept.py_func(x), strides=x.flags.c_contiguous)


def test_keepdims_of_a_vector():
    a = np.array([3.0, -1.0, 2.0])
    check(kept(a), kept.py_func(a))


def test_softmax_with_keepdims_broadcasts():
    x = np.random.default_rng(1).normal(size=(5, 7))
    check(softmax_rows(x), softmax_rows.py_func(x))


@pytest.mark.parametrize("k", [0, 1, 2, 3, 5])
def test_ddof_divides_by_n_minus_ddof(k):
    a = np.arange(12.0).reshape(4, 3) ** 1.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = with_ddof.py_func(a, k)
    check(with_ddof(a, k), want)


def test_ddof_past_the_count_is_inf_as_numpy():
    a = np.array([1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = with_ddof.py_func(a, 4)
    got = with_ddof(a, 4)
    assert got[1] == want[1] == np.inf


def compile_error(src_func, *args):
    with pytest.raises(CompileError) as info:
        jit(src_func)(*args)
    return str(info.value)


def sum_bool_dtype(a):
    return a.sum(dtype=np.bool_)


def mean_int_dtype(a):
    return np.mean(a, dtype=np.int64)


def max_with_dtype(a):
    return np.max(a, dtype=np.float32)


def cumsum_keepdims(a):
    return np.cumsum(a, keepdims=True)


def keepdims_variable(a, k):
    return np.sum(a, keepdims=k)


def sum_with_out(a):
    return np.sum(a, 0, np.float64)


def test_errors_say_what_each_reduction_takes():
    a = np.arange(4.0)
    msg = compile_error(sum_bool_dtype, a)
    assert "E0220" in msg and "`a.sum` needs a number type" in msg
    assert "np.int64" in msg
    msg = compile_error(mean_int_dtype, a)
    assert "a float or complex type" in msg
    msg = compile_error(max_with_dtype, a)
    assert "`np.max` with `dtype=` is not supported" in msg
    assert "takes axis=, keepdims=" in msg
    msg = compile_error(cumsum_keepdims, a)
    assert "`np.cumsum` with `keepdims=`" in msg and "takes axis=, dtype=" in msg
    msg = compile_error(keepdims_variable, a, True)
    assert "`keepdims=` must be a constant True or False" in msg
    msg = compile_error(sum_with_out, a)
    assert "pass the other arguments by keyword (axis=, dtype=, keepdims=)" in msg
