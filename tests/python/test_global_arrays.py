"""Module-level (and closure) NumPy arrays are read as constants frozen at
compile time, as Numba does: a read-only C-ordered copy made when the function
is first compiled, which compiled code holds for as long as it lives."""

import gc

import numpy as np
import pytest

import ferrojit
from ferrojit import jit

TABLE = np.array([1.5, 2.5, 4.0, -8.25])
GRID = np.asfortranarray(np.arange(12.0).reshape(3, 4))[:, ::-1]
SMALL = np.arange(-3, 3, dtype=np.int8)[::-2]
EMPTY = np.zeros((0, 3), dtype=np.float32)
FLAGS = np.array([True, False, True])


@jit
def lookup(i):
    return TABLE[i]


@jit
def weighted_grid():
    s = 0.0
    for i in range(GRID.shape[0]):
        for j in range(GRID.shape[1]):
            s += GRID[i, j] * (i + 1) + j
    return s


@jit
def small_sum():
    s = 0
    for k in range(len(SMALL)):
        s += SMALL[k]
    return s


@jit
def empty_shape():
    return EMPTY.shape[0] * 10 + EMPTY.shape[1]


@jit
def count_flags():
    n = 0
    for k in range(FLAGS.size):
        if FLAGS[k]:
            n += 1
    return n


@jit
def table_copy():
    return TABLE.copy()


@jit
def table_as_int():
    return GRID.astype(np.int32)


@pytest.mark.parametrize("i", [0, 1, 3, -1, -4])
def test_global_array_is_read_like_python(i):
    assert lookup(i) == lookup.py_func(i)


def test_global_arrays_of_any_layout_and_dtype():
    assert weighted_grid() == weighted_grid.py_func()
    assert small_sum() == small_sum.py_func()
    assert empty_shape() == empty_shape.py_func()
    assert count_flags() == count_flags.py_func()


def test_global_array_in_array_functions():
    got = table_copy()
    np.testing.assert_array_equal(got, TABLE)
    assert got.flags.writeable
    np.testing.assert_array_equal(table_as_int(), GRID.astype(np.int32))


def test_index_out_of_range_raises_numpy_message():
    with pytest.raises(IndexError, match="^index 4 is out of bounds for axis 0 with size 4$"):
        lookup(4)


def test_closure_array_is_frozen_too():
    def make():
        weights = np.linspace(0.0, 1.0, 5)

        @jit
        def dot(x):
            s = 0.0
            for k in range(len(weights)):
                s += weights[k] * x
            return s

        return dot

    dot = make()
    assert dot(2.0) == dot.py_func(2.0)


CHANGING = np.array([1.0, 2.0, 3.0])


def changing_first():
    return CHANGING[0]


def test_later_changes_are_not_seen_until_recompiled():
    global CHANGING
    original = CHANGING
    first = jit(changing_first)
    try:
        assert first() == 1.0
        CHANGING[0] = 10.0  # changed in place: the compiled code keeps its copy
        assert first() == 1.0
        assert first.py_func() == 10.0
        CHANGING = np.array([7.0])  # rebound: not seen either
        assert first() == 1.0
        # Another @jit of the function compiles again and sees the current value.
        assert jit(changing_first)() == 7.0
    finally:
        CHANGING = original


DATA = np.arange(1000.0)


def data_last():
    return DATA[999]


def test_frozen_copy_outlives_the_global():
    global DATA
    last = jit(data_last)
    assert last() == 999.0
    DATA = None
    gc.collect()
    for _ in range(3):
        np.ones(1000) * 5.0  # reuse the freed memory, had it been freed
    assert last() == 999.0


def test_writing_a_global_array_is_a_compile_error():
    @jit
    def write():
        TABLE[0] = 1.0

    with pytest.raises(ferrojit.TypingError, match="cannot write to a read-only array"):
        write()
    assert TABLE[0] == 1.5


STRS = np.array(["a", "b"])


def test_unsupported_dtype_names_the_array():
    @jit
    def first():
        return STRS[0]

    with pytest.raises(ferrojit.TypingError, match="array `STRS` of dtype"):
        first()


@jit
def table_itself():
    return TABLE


def test_returning_the_global_returns_its_frozen_copy():
    import sys

    got = table_itself()
    np.testing.assert_array_equal(got, TABLE)
    assert not got.flags.writeable
    assert table_itself() is got  # the one frozen copy, not a new array per call
    count = sys.getrefcount(got)
    for _ in range(100):
        table_itself()
    assert sys.getrefcount(got) == count
