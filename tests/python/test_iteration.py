"""`for` over arrays, tuples, `enumerate` and `zip`, compared with CPython (`f.py_func`)."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit


def inputs_1d(dtype):
    base = np.arange(1, 13).astype(dtype)
    return {
        "C": base[:7].copy(),
        "strided": base[::3],
        "negative stride": base[::-2],
        "empty": base[:0].copy(),
    }


def same(f, *args):
    got, want = f(*args), f.py_func(*args)
    # Scalars come back as Python numbers (as Numba boxes them), NumPy's as np.float64...
    assert got == want, (got, want)
    return got


@jit
def total(a):
    s = 0
    for x in a:
        s += x
    return s


@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.uint8, np.float32])
@pytest.mark.parametrize("kind", ["C", "strided", "negative stride", "empty"])
def test_for_over_1d_array_gives_its_items(dtype, kind):
    a = inputs_1d(dtype)[kind]
    assert total(a) == total.py_func(a)


@jit
def weighted(a, start):
    s = 0.0
    for i, x in enumerate(a, start):
        s += i * x
    return s


@jit
def first_index_above(a, limit):
    for i, x in enumerate(a):
        if x > limit:
            return i
    return -1


@pytest.mark.parametrize("kind", ["C", "strided", "negative stride", "empty"])
def test_enumerate_with_and_without_start(kind):
    a = inputs_1d(np.float64)[kind]
    same(weighted, a, 0)
    same(weighted, a, -3)
    for limit in (0.0, 5.0, 100.0):
        same(first_index_above, a, limit)


@jit
def enumerate_start_keyword(a):
    s = 0
    for i, x in enumerate(a, start=10):
        s += i
    return s


def test_enumerate_start_keyword():
    same(enumerate_start_keyword, np.ones(4))


@jit
def dot(a, b):
    s = 0.0
    for x, y in zip(a, b):
        s += x * y
    return s


@jit
def zip_three(a, b, c):
    s = 0.0
    for x, y, z in zip(a, b, c):
        s += x * y - z
    return s


def test_zip_stops_at_the_shortest():
    a, b = np.arange(5.0), np.arange(8.0)[::-1]
    same(dot, a, b)
    same(dot, b, a)
    same(dot, a[:0], b)
    same(zip_three, a, b, np.arange(3.0))


@jit
def zip_with_ranges(a, start, stop, step):
    s = 0.0
    n = 0
    for x, k in zip(a, range(start, stop, step)):
        s += x * k
        n += 1
    return s, n


@pytest.mark.parametrize(
    "bounds", [(0, 10, 1), (2, 5, 1), (10, -3, -2), (5, 5, 1), (0, 100, 7), (3, 0, 1)]
)
def test_zip_mixes_arrays_and_ranges(bounds):
    same(zip_with_ranges, np.arange(6.0), *bounds)


def test_zip_with_zero_step_range_raises_value_error():
    with pytest.raises(ValueError) as info:
        zip_with_ranges(np.arange(3.0), 0, 3, 0)
    with pytest.raises(ValueError) as want:
        zip_with_ranges.py_func(np.arange(3.0), 0, 3, 0)
    assert str(info.value) == str(want.value) == "range() arg 3 must not be zero"


@jit
def nested_target(a, b):
    s = 0.0
    for i, (x, y) in enumerate(zip(a, b)):
        s += i * (x - y)
    return s


def test_tuple_targets_nest():
    same(nested_target, np.arange(4.0), np.arange(4.0) ** 2)


@jit
def over_tuple(t):
    s = 0
    for v in t:
        s += v
    return s


@jit
def over_shape(a):
    p = 1
    for n in a.shape:
        p *= n
    return p


def test_for_over_homogeneous_tuple():
    same(over_tuple, (1, 2, 3))
    same(over_tuple, (1.5, -2.0))
    assert over_shape(np.zeros((2, 3, 4))) == 24


@jit
def break_continue(a):
    s = 0.0
    for x in a:
        if x < 0:
            continue
        if x > 10:
            break
        s += x
    return s, x


def test_break_continue_and_the_variable_after_the_loop():
    same(break_continue, np.array([1.0, -2.0, 3.0, 20.0, 4.0]))
    same(break_continue, np.array([1.0, -2.0, 3.0]))


@jit
def rebinding_does_not_change_the_loop(a, b):
    s = 0.0
    for x in a:
        a = b
        s += x
    return s


@jit
def writes_are_seen(a):
    s = 0.0
    for i, x in enumerate(a):
        if i + 1 < len(a):
            a[i + 1] += x
        s += x
    return s


def test_iterable_is_evaluated_once_and_read_live():
    same(rebinding_does_not_change_the_loop, np.arange(3.0), np.arange(10.0))
    a, b = np.arange(5.0), np.arange(5.0)
    assert writes_are_seen(a) == writes_are_seen.py_func(b)
    np.testing.assert_array_equal(a, b)


@jit
def nested_loops(a, b):
    s = 0.0
    for x in a:
        for y in b:
            s += x * y
    return s


def test_nested_array_loops():
    same(nested_loops, np.arange(3.0), np.arange(4.0)[::-1])


def test_for_else_is_rejected():
    def f(a):
        for x in a:
            pass
        else:
            return 1
        return 0

    with pytest.raises(ferrojit.UnsupportedError) as info:
        jit(f)(np.zeros(2))
    assert "`for ... else` is not supported" in str(info.value)


def test_enumerate_as_a_value_is_rejected():
    def f(a):
        e = enumerate(a)
        return 0

    with pytest.raises(ferrojit.CompileError) as info:
        jit(f)(np.zeros(2))
    assert "`enumerate` can only be the iterable of a `for` loop" in str(info.value)
