"""Smoke tests of the package surface: import, options, argument errors, source errors, prange."""

import functools

import numpy as np
import pytest

import ferrojit
from ferrojit import jit, njit, prange


def double(x):
    return x * 2


def test_public_names():
    for name in ["jit", "njit", "prange", "CompileError", "TypingError", "UnsupportedError", "InternalError"]:
        assert hasattr(ferrojit, name), name
    assert issubclass(ferrojit.CompileError, TypeError)
    for sub in [ferrojit.TypingError, ferrojit.UnsupportedError, ferrojit.InternalError]:
        assert issubclass(sub, ferrojit.CompileError)


def test_every_option_is_accepted():
    f = jit(
        boundscheck=False,
        wraparound=False,
        parallel=True,
        fastmath=True,
        cache=False,
        nogil=True,
        error_model="numpy",
        nopython=True,
        inline="never",
    )(double)
    assert f.py_func is double
    assert njit(double).py_func is double


def test_bad_options_are_rejected():
    with pytest.raises(TypeError, match="unexpected keyword argument 'boundcheck'"):
        jit(boundcheck=False)
    with pytest.raises(ValueError, match="error_model"):
        jit(error_model="fortran")(double)
    with pytest.raises(TypeError):
        jit(42)


def test_wraps_metadata():
    f = jit(double)
    assert f.__name__ == "double"
    assert f.__wrapped__ is double
    assert functools.WRAPPER_ASSIGNMENTS  # update_wrapper copied them without error
    assert f.signatures == []


def test_list_argument_is_a_type_error_naming_it():
    f = jit(double)
    with pytest.raises(TypeError, match=r"argument `x` \(position 1\) has unsupported type list"):
        f([1, 2, 3])
    with pytest.raises(TypeError, match="unsupported type str"):
        f(x="text")
    assert f.signatures == []


def test_wrong_argument_count_matches_cpython():
    f = jit(double)
    with pytest.raises(TypeError, match=r"double\(\) takes 1 positional argument but 2 were given"):
        f(1, 2)
    with pytest.raises(TypeError, match=r"double\(\) missing 1 required positional argument: 'x'"):
        f()
    with pytest.raises(TypeError, match="unexpected keyword argument 'y'"):
        f(y=1)


def test_int_too_large_is_an_overflow_error():
    with pytest.raises(OverflowError, match="`x`"):
        jit(double)(2**64)


def test_function_without_source_says_so():
    namespace = {}
    exec("def made_by_exec(x):\n    return x\n", namespace)
    f = jit(namespace["made_by_exec"])
    with pytest.raises(ferrojit.CompileError, match="cannot find the source code of `made_by_exec`"):
        f(1)


def test_prange_is_range_in_py_func():
    assert prange(3) == range(3)
    assert prange(1, 10, 3) == range(1, 10, 3)

    @jit
    def total(n):
        s = 0
        for i in prange(n):
            s += i
        return s

    assert total.py_func(10) == 45


def test_non_function_is_rejected():
    with pytest.raises(TypeError, match="Python functions"):
        jit(np.sqrt)


def test_returned_argument_is_the_argument_itself():
    @jit
    def identity(a):
        return a

    a = np.arange(6.0)
    assert identity(a) is a
    reversed_view = a[::-2]
    assert identity(reversed_view) is reversed_view
    readonly = np.arange(3.0)
    readonly.flags.writeable = False
    assert not identity(readonly).flags.writeable


def test_numpy_scalars_keep_their_dtype_and_box_as_python_numbers():
    @jit
    def same(x):
        return x

    assert same(np.int8(-5)) == -5
    assert same(np.uint64(2**64 - 1)) == 2**64 - 1
    assert same(np.float32(1.5)) == 1.5 and isinstance(same(np.float32(1.5)), float)
    assert same(np.complex64(1 + 2j)) == 1 + 2j
    assert same(np.bool_(True)) is True
    assert len(same.signatures) == 5


def test_explicit_any_layout_signature_serves_contiguous_arrays():
    @jit("float64(float64[:])")
    def total(a):
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i]
        return s

    assert total(np.arange(5.0)) == 10.0
    assert total(np.arange(10.0)[::2]) == 20.0
    assert len(total.signatures) == 1


def test_keyword_arguments_and_nogil():
    @jit(nogil=True)
    def scaled(a, factor):
        return a[0] * factor

    assert scaled(factor=2.0, a=np.ones(2)) == 2.0
    assert scaled(np.ones(2), factor=3.0) == 3.0


def test_unsupported_array_dtypes_and_byte_orders():
    f = jit(double)
    with pytest.raises(TypeError, match="ndarray of dtype float16"):
        f(np.zeros(2, dtype=np.float16))
    with pytest.raises(TypeError, match="non-native byte order"):
        f(np.zeros(2, dtype=">f8"))


def test_ndarray_subclasses_are_rejected():
    f = jit(double)
    with pytest.raises(TypeError, match="unsupported type MaskedArray"):
        f(np.ma.masked_array([1.0, 2.0], mask=[False, True]))
