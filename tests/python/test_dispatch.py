"""The dispatcher: decorator forms, options, metadata, specialization, results."""

import gc
import resource
import sys

import numpy as np
import pytest

import ferrojit
from ferrojit import jit, njit

THRESHOLD = 2.5


def add_one_py(x):
    """Adds one."""
    return x + 1


def test_decorator_forms():
    assert jit(add_one_py)(1) == 2
    assert jit()(add_one_py)(1) == 2
    assert njit(add_one_py)(1) == 2
    assert njit()(add_one_py)(2.5) == 3.5


def test_all_options_accepted():
    options = dict(
        boundscheck=False,
        wraparound=False,
        fastmath=True,
        cache=False,
        nogil=True,
        parallel=False,
        error_model="numpy",
    )
    assert jit(**options)(add_one_py)(41) == 42
    assert jit(nopython=True, inline="never")(add_one_py)(41) == 42
    assert njit(boundscheck=True, error_model="python")(add_one_py)(1.5) == 2.5


def test_unknown_option_is_a_type_error():
    with pytest.raises(TypeError):
        jit(not_an_option=True)(add_one_py)


def test_explicit_signature_compiles_eagerly():
    f = jit("float64(float64)")(add_one_py)
    assert len(f.signatures) == 1
    assert f(1.0) == 2.0
    assert len(f.signatures) == 1
    g = jit(["int64(int64)", "float64(float64)"])(add_one_py)
    assert len(g.signatures) == 2
    assert g(1) == 2 and isinstance(g(1), int)
    assert g(0.5) == 1.5


def try_in_body(x):
    try:
        return x
    finally:
        pass


def test_explicit_signature_reports_errors_at_decoration():
    with pytest.raises(ferrojit.UnsupportedError):
        jit("int64(int64)")(try_in_body)


def test_wraps_metadata():
    f = jit(add_one_py)
    assert f.__name__ == "add_one_py"
    assert f.__doc__ == "Adds one."
    assert f.__wrapped__ is add_one_py
    assert f.__module__ == add_one_py.__module__
    assert f.__qualname__ == add_one_py.__qualname__
    assert f.py_func is add_one_py


def test_function_nested_in_function_with_closure_constants():
    scale = 3
    offset = 0.5

    @jit
    def inner(a):
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i] * scale + offset
        return s

    assert inner(np.arange(4.0)) == pytest.approx((0 + 1 + 2 + 3) * 3 + 4 * 0.5)


class Holder:
    @jit
    def in_class_body(x, y):
        if x > y:
            return x - y
        return y - x


def test_function_defined_in_class_body():
    assert Holder.__dict__["in_class_body"](3, 10) == 7
    assert Holder.__dict__["in_class_body"](10.0, 3) == 7.0


@jit(
    boundscheck=True,
    wraparound=True,
)
def multiline_decorator(x):
    return x * 2


def test_decorator_spanning_lines():
    assert multiline_decorator(21) == 42


@jit
def uses_module_constant(x):
    return x > THRESHOLD


def test_module_constant_and_bool_result():
    assert uses_module_constant(3.0) is True
    assert uses_module_constant(1) is False


@jit
def first_element(a):
    return a[0]


@jit
def corner(a):
    return a[0, 1]


def test_specialization_per_dtype_and_layout():
    f = jit(first_element.py_func)
    base = np.arange(12.0).reshape(3, 4)
    calls = [
        (np.arange(5.0), 0.0),
        (np.arange(5.0) + 1, 1.0),  # same types: reused
        (np.arange(5, dtype=np.float32), 0.0),
        (np.arange(5, dtype=np.int32), 0),
        (np.arange(5, dtype=np.uint8), 0),
        (np.arange(10.0)[::2], 0.0),
        (np.arange(10.0)[::-1], 9.0),
    ]
    expected_counts = [1, 1, 2, 3, 4, 5, 5]
    for (arg, value), count in zip(calls, expected_counts):
        assert f(arg) == value
        assert len(f.signatures) == count, f.signatures
    g = jit(corner.py_func)
    assert g(base) == 1.0
    assert g(np.asfortranarray(base)) == 1.0
    assert g(base.T) == 4.0
    assert len(g.signatures) == 2
    assert g(base[::2, ::-1]) == 2.0
    assert len(g.signatures) == 3


def test_scalar_specialization():
    f = jit(add_one_py)
    assert f(1) == 2
    assert f(2) == 3
    assert len(f.signatures) == 1
    assert f(1.5) == 2.5
    assert len(f.signatures) == 2
    r = f(np.float32(1.5))
    assert r == 2.5
    assert len(f.signatures) == 3
    assert f(True) == 2
    assert len(f.signatures) == 4
    assert f(1 + 2j) == 2 + 2j
    assert len(f.signatures) == 5


@jit
def int_then_float(n):
    x = 0
    for i in range(n):
        x = x + 0.5 * i
    return x


def test_int_then_float_unifies_to_float64():
    assert int_then_float(0) == 0.0
    assert isinstance(int_then_float(0), float)
    assert int_then_float(4) == 3.0


@jit
def returns_int(a, b):
    return a * b - 1


@jit
def returns_float(a):
    return a / 2


@jit
def returns_complex(re, im):
    z = complex(re, im)
    return z * z + 1j


@jit
def returns_mixed_tuple(a):
    n = a.shape[0]
    return n, a[n - 1] * 2.0, n > 2


def test_scalar_and_tuple_results():
    assert returns_int(6, 7) == 41 and isinstance(returns_int(6, 7), int)
    assert returns_float(3) == 1.5 and isinstance(returns_float(3), float)
    z = returns_complex(1.0, 2.0)
    assert isinstance(z, complex) and z == (1 + 2j) ** 2 + 1j
    t = returns_mixed_tuple(np.arange(3.0))
    assert t == (3, 4.0, True)
    assert isinstance(t[0], int) and isinstance(t[1], float) and isinstance(t[2], bool)


@jit
def tuple_argument(t):
    a, b = t
    return a + b


def test_tuple_argument():
    assert tuple_argument((1, 2.5)) == 3.5
    assert tuple_argument((4, 5)) == 9


@jit
def shape_info(a):
    n, m, k = a.shape
    return a.ndim, a.size, len(a), a.shape[2], n * m * k


@jit
def shape_at(a, axis):
    return a.shape[axis]


def test_array_attributes():
    assert shape_info(np.zeros((3, 4, 5))) == (3, 60, 3, 5, 60)
    assert shape_info(np.zeros((3, 4, 5))[::-1, :, ::2]) == (3, 36, 3, 3, 36)


@jit(wraparound=False)
def shape_at_no_wrap(a, axis):
    return a.shape[axis]


@jit
def item_at(t, i):
    return t[i]


def tuple_message(t, index):
    try:
        t[index]
    except IndexError as exc:
        return str(exc)
    raise AssertionError("Python did not raise")


def test_shape_indexed_at_run_time():
    a = np.zeros((3, 4, 5))
    assert [shape_at(a, axis) for axis in range(3)] == [3, 4, 5]
    assert shape_at(a, -1) == 5
    assert [shape_at(a, axis) for axis in range(-3, 0)] == [3, 4, 5]
    assert shape_at(a, np.int32(1)) == 4


@pytest.mark.parametrize("axis", [3, -4, 2**40, -(2**40)])
def test_shape_index_out_of_range_raises_python_message(axis):
    a = np.zeros((3, 4, 5))
    with pytest.raises(IndexError) as info:
        shape_at(a, axis)
    assert str(info.value) == tuple_message(a.shape, axis) == "tuple index out of range"


def test_shape_index_without_wraparound_rejects_negative():
    a = np.zeros((3, 4))
    assert shape_at_no_wrap(a, 1) == 4
    with pytest.raises(IndexError) as info:
        shape_at_no_wrap(a, -1)
    assert str(info.value) == "tuple index out of range"


def test_homogeneous_tuple_indexed_at_run_time():
    t = (1.5, 2.5, 3.5)
    assert [item_at(t, i) for i in range(-3, 3)] == [t[i] for i in range(-3, 3)]
    pairs = ((1, 2), (3, 4))
    assert [item_at(pairs, i) for i in (0, 1, -1)] == [(1, 2), (3, 4), (3, 4)]
    with pytest.raises(IndexError) as info:
        item_at(pairs, 2)
    assert str(info.value) == tuple_message(pairs, 2)


def test_mixed_tuple_needs_a_constant_index():
    with pytest.raises(ferrojit.TypingError) as info:
        item_at((1, 2.5), 0)
    assert "a tuple index must be a constant integer" in str(info.value)


@jit
def make_array(n):
    out = np.empty(n)
    for i in range(n):
        out[i] = i * 0.5
    return out


@jit
def make_2d(n, m):
    out = np.zeros((n, m), dtype=np.int32)
    for i in range(n):
        for j in range(m):
            out[i, j] = i * m + j
    return out


@jit
def scratch_sum(n):
    scratch = np.ones(n)
    twice = np.full(n, 2.0)
    s = 0.0
    for i in range(n):
        s += scratch[i] + twice[i]
    return s


@jit
def copy_and_like(a):
    c = a.copy()
    z = np.zeros_like(a)
    o = np.ones_like(a)
    for i in range(a.shape[0]):
        c[i] += z[i] + o[i]
    return c


def _owner_alive(arr):
    """Walks `arr.base` to the object that owns the memory."""
    while isinstance(arr, np.ndarray) and arr.base is not None:
        arr = arr.base
    return arr


def test_returned_arrays_own_their_memory():
    r = make_array(1000)
    assert isinstance(r, np.ndarray) and r.dtype == np.float64 and r.shape == (1000,)
    assert r.flags.writeable and r.flags.c_contiguous
    assert _owner_alive(r) is not None
    view = r[::2]
    del r
    gc.collect()
    for _ in range(50):
        make_array(1000)
    np.testing.assert_array_equal(view, np.arange(0, 1000, 2) * 0.5)
    m = make_2d(3, 4)
    assert m.dtype == np.int32 and m.shape == (3, 4)
    np.testing.assert_array_equal(m, np.arange(12).reshape(3, 4))
    a = np.arange(5.0)
    c = copy_and_like(a)
    np.testing.assert_array_equal(c, a + 1)
    np.testing.assert_array_equal(a, np.arange(5.0))
    assert not np.shares_memory(a, c)


def _rss_mib():
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / 1024 if sys.platform != "darwin" else usage / 2**20


def test_no_leak_in_loops():
    # Each call allocates 80 KB; 10k leaked calls would add ~800 MiB.
    for _ in range(100):
        make_array(10_000)
        scratch_sum(5_000)
    before = _rss_mib()
    for _ in range(10_000):
        make_array(10_000)
    for _ in range(10_000):
        assert scratch_sum(5_000) == 15_000.0
    assert _rss_mib() - before < 64


@jit
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


@jit
def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


@jit
def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


def test_recursion():
    assert fib(20) == 6765 and isinstance(fib(20), int)
    assert [fib(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]


def test_mutual_recursion():
    assert is_even(10) is True
    assert is_odd(7) is True
