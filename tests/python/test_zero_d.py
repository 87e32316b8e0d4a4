"""0-d arrays as arguments, values and results, against NumPy."""

import numpy as np
import pytest

from ferrojit import jit


@pytest.mark.parametrize(
    "dtype", [np.float64, np.float32, np.int64, np.longlong, np.uint64, np.int8, np.uint16, np.complex128, np.bool_]
)
def test_a_0d_argument_is_read_written_and_returned(dtype):
    @jit
    def double_in_place(a):
        a[()] = a[()] + a[()]
        return a, a.shape, a.ndim, a.size

    a, b = np.array(3, dtype=dtype), np.array(3, dtype=dtype)
    got, want = double_in_place(a), double_in_place.py_func(b)
    assert got[0] is a and got[1:] == want[1:]
    np.testing.assert_array_equal(a, b)


def test_0d_arrays_are_created_and_returned():
    @jit
    def make(x):
        z = np.zeros(())
        f = np.full((), x)
        e = np.empty((), dtype=np.int32)
        e[()] = 7
        return z, f, e

    for got, want in zip(make(2.5), make.py_func(2.5)):
        assert got.shape == () and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_a_view_of_a_0d_array_adds_axes_and_writes_through():
    @jit
    def views(a):
        a[...] = 9
        return a[None], a[None, None].shape

    a, b = np.array(1), np.array(1)
    got, want = views(a), views.py_func(b)
    np.testing.assert_array_equal(got[0], want[0])
    assert got[1] == want[1] and a == b == 9
    assert np.shares_memory(got[0], a)


def test_a_view_equal_to_the_whole_argument_is_the_argument():
    # As Numba: same data, shape, strides and dtype as an argument is that argument.
    @jit
    def whole(a):
        return a[...], a[:]

    a = np.arange(3.0)
    first, second = whole(a)
    assert first is a and second is a


def test_0d_arrays_pass_between_jit_functions():
    @jit
    def inc(a):
        a[()] += 1.0
        return a

    @jit
    def twice(a):
        return inc(inc(a))

    a = np.array(1.0)
    assert twice(a) is a and a == 3.0
