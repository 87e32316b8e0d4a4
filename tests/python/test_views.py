"""Slices and views (docs/language.md, "Slices and views") against NumPy.

Each kernel runs compiled and as `f.py_func` (plain NumPy) on copies of the
same inputs: C, F, strided and negative-stride arrays, several dtypes, empty
arrays. Kernels return `.copy()` of a view (a new array), or write through a
view into an argument, so what is compared is the values and what the view
changed in its base.
"""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit
from ferrojit._native import live_buffers


def outcome(f, *args):
    try:
        return ("value", f(*args))
    except Exception as e:  # the exception is part of the result
        return (type(e).__name__, str(e))


def copy_like(a):
    """A copy of `a` in new memory with the same strides (negative included), so
    that NumPy gives a view or a copy of it exactly where it does of `a`."""
    base = a
    while isinstance(base.base, np.ndarray):
        base = base.base
    if base is a:
        return a.copy(order="K")
    buffer = base.copy(order="K")
    offset = a.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return np.ndarray(a.shape, a.dtype, buffer=buffer, offset=offset, strides=a.strides)


def same(f, *args):
    """f and f.py_func give equal results (arrays: values, dtype and shape),
    leave their array arguments equal, or raise the same exception."""
    py_args = [copy_like(a) if isinstance(a, np.ndarray) else a for a in args]
    expected = outcome(f.py_func, *py_args)
    got = outcome(f, *args)
    assert got[0] == expected[0], f"{f.py_func.__name__}: jit {got}, NumPy {expected}"
    if got[0] == "value":
        g, e = got[1], expected[1]
        if isinstance(e, np.ndarray):
            assert isinstance(g, np.ndarray)
            assert g.dtype == e.dtype and g.shape == e.shape
            np.testing.assert_array_equal(g, e)
        else:
            assert g == e or (g != g and e != e)
    else:
        assert got[1] == expected[1]
    for a, b in zip(args, py_args):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
    return got


def variants(base):
    """The same values as C, F, strided and negative-stride arrays."""
    out = {"C": np.ascontiguousarray(base), "F": np.asfortranarray(base)}
    big = np.zeros(tuple(2 * n for n in base.shape), dtype=base.dtype)
    strided = big[tuple(slice(None, None, 2) for _ in base.shape)]
    strided[...] = base
    out["strided"] = strided
    flipped = np.ascontiguousarray(base[tuple(slice(None, None, -1) for _ in base.shape)])
    out["negative"] = flipped[tuple(slice(None, None, -1) for _ in base.shape)]
    return out


def arrays_2d(dtype=np.float64):
    return variants(np.arange(1, 31).reshape(5, 6).astype(dtype))


def arrays_1d(dtype=np.float64, n=9):
    return variants(np.arange(1, n + 1).astype(dtype))


# ---- basic slicing: each form is a view, read here through .copy() ----

@jit
def inner(a):
    return a[1:-1].copy()


@jit
def every_other(a):
    return a[::2].copy()


@jit
def reversed_(a):
    return a[::-1].copy()


@jit
def general(a, i, j, k):
    return a[i:j:k].copy()


@jit
def from_i(a, i, k):
    return a[i::k].copy()


@jit
def to_j(a, j, k):
    return a[:j:k].copy()


@jit
def by_k(a, k):
    return a[::k].copy()


@jit
def row(a, i):
    return a[i].copy()


@jit
def row_colon(a, i):
    return a[i, :].copy()


@jit
def column(a, j):
    return a[:, j].copy()


@jit
def interior_strided(a):
    return a[1:-1, ::2].copy()


@jit
def ellipsis_last(a):
    return a[..., 1].copy()


@jit
def everything(a):
    return a[...].copy()


@jit
def new_axis(a):
    return a[None, :, np.newaxis].copy()


@jit
def view_of_view(a):
    v = a[1:, ::-1]
    w = v[::2, 1:]
    return w.copy()


@pytest.mark.parametrize("layout", ["C", "F", "strided", "negative"])
@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.complex128, np.bool_])
def test_slices_of_1d_arrays(layout, dtype):
    a = arrays_1d(dtype)[layout]
    same(inner, a)
    same(every_other, a)
    same(reversed_, a)
    same(everything, a)


@pytest.mark.parametrize("layout", ["C", "F", "strided", "negative"])
def test_slice_bounds_are_clipped_as_python_does(layout):
    a = arrays_1d(np.int64, 7)[layout]
    values = [-100, -8, -7, -3, -1, 0, 1, 3, 6, 7, 8, 100]
    steps = [1, 2, 3, -1, -2, -3, 100, -100, 2**63 - 1, -(2**63)]
    for k in steps:
        same(by_k, a, k)
        for i in values:
            same(from_i, a, i, k)
            same(to_j, a, i, k)
            for j in values:
                same(general, a, i, j, k)


def test_a_step_of_zero_raises_value_error():
    a = np.arange(5.0)
    assert outcome(general, a, 0, 5, 0) == ("ValueError", "slice step cannot be zero")
    same(general, a, 0, 5, 0)


@pytest.mark.parametrize("layout", ["C", "F", "strided", "negative"])
@pytest.mark.parametrize("dtype", [np.float64, np.int16, np.complex64])
def test_integer_and_slice_mixes(layout, dtype):
    a = arrays_2d(dtype)[layout]
    for i in [0, 2, 4, -1, -5]:
        same(row, a, i)
        same(row_colon, a, i)
    for j in [0, 3, 5, -1, -6]:
        same(column, a, j)
    same(interior_strided, a)
    same(ellipsis_last, a)
    same(everything, a)
    same(view_of_view, a)
    same(new_axis, arrays_1d(dtype)[layout])


def test_integer_indices_keep_their_checks():
    a = np.arange(30.0).reshape(5, 6)
    assert outcome(row, a, 5) == ("IndexError", "index 5 is out of bounds for axis 0 with size 5")
    assert outcome(column, a, -7) == ("IndexError", "index -7 is out of bounds for axis 1 with size 6")
    same(row, a, -6)


def test_empty_arrays():
    for a in [np.zeros(0), np.zeros((0, 3)), np.zeros((3, 0))]:
        same(inner, a)
        same(every_other, a)
        same(reversed_, a)
        same(everything, a)
    same(from_i, np.zeros(0), -1, -1)
    same(to_j, np.zeros(0), -1, -1)


# ---- writing through a view changes the base ----

@jit
def write_through(a):
    v = a[::2]
    v[0] = 100.0
    w = v[1:]
    w[0] = -1.0
    r = a[::-1]
    r[0] = 7.0


@jit
def write_row(X, i):
    r = X[i]
    for j in range(r.shape[0]):
        r[j] = j * 10.0


@pytest.mark.parametrize("layout", ["C", "F", "strided", "negative"])
def test_a_view_written_through_changes_the_base(layout):
    same(write_through, arrays_1d()[layout])
    X = arrays_2d()[layout]
    same(write_row, X, 2)
    same(write_row, X, -1)


def test_view_of_a_readonly_array_is_readonly():
    a = np.arange(6.0)
    a.flags.writeable = False
    with pytest.raises(ferrojit.TypingError, match="read-only"):
        write_through(a)


# ---- slice assignment ----

@jit
def fill(a):
    a[:] = 0.5


@jit
def set_row(a, i, r):
    a[i, :] = r


@jit
def prefix(out, tmp, k):
    out[:k] = tmp[:k]


@jit
def stencil(a, b):
    a[1:-1, 1:-1] = b[:-2, 1:-1]


@jit
def shift(a):
    a[1:] = a[:-1]


@jit
def shift_back(a):
    a[:-1] = a[1:]


@jit
def everything_from(a, b):
    a[:] = b


@jit
def reverse_in_place(a):
    a[:] = a[::-1]


@jit
def int_into_float(a, b):
    a[::2] = b


@pytest.mark.parametrize("layout", ["C", "F", "strided", "negative"])
def test_scalar_and_array_stores(layout):
    same(fill, arrays_2d()[layout])
    same(fill, arrays_1d(np.int64)[layout])
    a = arrays_2d()[layout]
    same(set_row, a, 1, np.arange(6.0))
    same(set_row, a, -1, np.arange(6.0)[::-1])
    same(set_row, a, 0, np.array([2.5]))  # broadcast from (1,)
    same(prefix, arrays_1d()[layout], arrays_1d()["negative"] * 2, 4)
    same(prefix, arrays_1d()[layout], arrays_1d()["C"], 100)
    same(stencil, arrays_2d()[layout], arrays_2d()["strided"] * 3)
    same(everything_from, arrays_2d()[layout], np.arange(6.0))  # broadcast over rows


@pytest.mark.parametrize("layout", ["C", "F", "strided", "negative"])
def test_overlapping_stores_read_a_copy(layout):
    same(shift, arrays_1d()[layout])
    same(shift_back, arrays_1d()[layout])
    same(shift, arrays_2d()[layout])
    same(reverse_in_place, arrays_1d()[layout])
    same(reverse_in_place, arrays_2d()[layout])


def test_stores_cast_as_numpy_does():
    same(int_into_float, np.zeros(6), np.arange(3, dtype=np.int32))
    same(int_into_float, np.zeros(6, dtype=np.float32), np.arange(3.0))
    same(int_into_float, np.zeros(6, dtype=np.int8), np.arange(3, dtype=np.int64))
    same(int_into_float, np.zeros(6, dtype=np.complex128), np.arange(3.0))
    same(fill, np.zeros(4, dtype=np.int32))


def test_float_array_into_int_view_is_a_compile_error():
    with pytest.raises(ferrojit.TypingError, match="same_kind"):
        int_into_float(np.zeros(6, dtype=np.int64), np.arange(3.0))


def test_shape_mismatch_raises_numpys_error():
    assert outcome(prefix, np.zeros(4), np.zeros(3), 4) == (
        "ValueError",
        "could not broadcast input array from shape (3,) into shape (4,)",
    )
    same(prefix, np.zeros(4), np.zeros(3), 4)
    same(everything_from, np.zeros((2, 3)), np.zeros((2, 4)))
    same(set_row, np.zeros((3, 4)), 0, np.zeros(3))


def test_empty_stores():
    same(fill, np.zeros(0))
    same(everything_from, np.zeros((0, 3)), np.zeros(3))
    same(prefix, np.zeros(3), np.zeros(3), 0)


# ---- view-returning methods and functions ----

@jit
def transposed(a):
    return a.T.copy()


@jit
def np_transposed(a):
    return np.transpose(a).copy()


@jit
def axes_transposed(a):
    return np.transpose(a, (1, 0, 2)).copy()


@jit
def reshaped(a):
    return a.reshape(3, -1).copy()


@jit
def reshaped_tuple(a, n):
    return np.reshape(a, (n, 2)).copy()


@jit
def reshape_writes(a):
    b = a.reshape(-1)
    b[0] = 99.0


@jit
def raveled(a):
    return a.ravel().copy()


@jit
def ravel_writes(a):
    b = a.ravel()
    b[0] = 99.0


@jit
def flattened_writes(a):
    b = a.flatten()
    b[0] = 99.0
    return b


@jit
def flipped(a):
    return np.flip(a).copy()


@jit
def flipped_axis(a):
    return np.flip(a, 1).copy()


@jit
def real_part(z):
    return z.real.copy()


@jit
def imag_part(z):
    return z.imag.copy()


@jit
def set_imag(z):
    z.imag[:] = 1.0
    z.real[0] = -5.0


@pytest.mark.parametrize("layout", ["C", "F", "strided", "negative"])
def test_view_methods(layout):
    a = arrays_2d()[layout]
    same(transposed, a)
    same(np_transposed, a)
    same(raveled, a)
    same(flipped, a)
    same(flipped_axis, a)
    same(reshaped, arrays_2d()[layout])
    same(reshaped_tuple, arrays_2d()[layout], 15)
    same(axes_transposed, variants(np.arange(24.0).reshape(2, 3, 4))[layout])


@pytest.mark.parametrize("layout", ["C", "F", "strided", "negative"])
def test_views_and_copies_are_numpys(layout):
    # A view where NumPy gives one (the base changes), a copy elsewhere (it does not).
    # Not NumPy's: reshaping an array with every axis reversed (docs/language.md).
    if layout != "negative":
        same(reshape_writes, arrays_2d()[layout])
    same(ravel_writes, arrays_2d()[layout])
    same(flattened_writes, arrays_2d()[layout])


def test_reshape_errors():
    a = np.arange(6.0)
    same(reshaped, np.arange(6.0))
    assert outcome(reshaped_tuple, a, 4) == ("ValueError", "cannot reshape array of size 6 into shape (4,2)")
    assert outcome(reshaped, np.arange(7.0)) == (
        "ValueError",
        "cannot reshape array of size 7 into shape (3,newaxis)",
    )
    same(reshaped_tuple, a, 4)


@jit
def reshaped_unknown_first(a, n):
    return a.reshape(-1, n)


def test_reshape_error_leaves_leading_unknown_extents_out():
    # NumPy prints the shape without its leading -1s (found by the fuzzer): `(2)`, not `(newaxis,2)`.
    assert outcome(reshaped_unknown_first, np.arange(9.0), 2) == (
        "ValueError",
        "cannot reshape array of size 9 into shape (2)",
    )
    same(reshaped_unknown_first, np.arange(9.0), 2)
    same(reshaped_unknown_first, np.arange(9.0)[::-1], 2)
    same(reshaped_unknown_first, np.arange(8.0), 2)


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_real_and_imag_are_views(dtype):
    for z in variants((np.arange(12) + 1j * np.arange(12, 24)).astype(dtype).reshape(3, 4)).values():
        same(real_part, z)
        same(imag_part, z)
        same(set_imag, z)


# ---- views returned and views outliving their base ----

@jit
def interior(a):
    return a[1:-1, ::-1]


@jit
def window_of_new(n):
    b = np.zeros(n)
    for i in range(n):
        b[i] = i
    w = b[2:5]
    return w


def test_a_returned_view_shares_memory_with_its_argument():
    a = np.arange(30.0).reshape(5, 6)
    v = interior(a)
    np.testing.assert_array_equal(v, a[1:-1, ::-1])
    assert np.shares_memory(v, a)
    v[0, 0] = -1.0
    assert a[1, 5] == -1.0


def test_a_view_outlives_the_array_it_was_made_from():
    w = window_of_new(10)
    np.testing.assert_array_equal(w, [2.0, 3.0, 4.0])


@jit
def copies_in_a_loop(a, n):
    s = 0.0
    for k in range(n):
        flat = a.ravel()  # a copy: `a` is not contiguous
        a[1:, :] = a[:-1, :]  # overlapping: read through a temporary copy
        s += flat[k % flat.shape[0]]
    return s


def test_copies_made_by_views_are_freed():
    before = live_buffers()
    a = arrays_2d()["strided"]
    same(copies_in_a_loop, a, 1000)
    assert live_buffers() == before


# ---- what is rejected at compile time (ferrojit.TypingError is a TypeError) ----

@jit
def float_bound(a, x):
    return a[x:].copy()


@jit
def too_many(a):
    return a[1, :, 2].copy()


@jit
def two_ellipses(a):
    return a[..., 0, ...].copy()


@jit
def imag_of_real(a):
    return a.imag.copy()


@jit
def transpose_run_time_axes(a, k):
    return np.transpose(a, (k, 0)).copy()


@pytest.mark.parametrize(
    "f, args, message",
    [
        (float_bound, (np.zeros(3), 1.5), "slice indices must be integers or None"),
        (too_many, (np.zeros((2, 3)),), "too many indices for array: array is 2-dimensional, but 3 were indexed"),
        (two_ellipses, (np.zeros((2, 3)),), "an index can only have a single ellipsis ('...')"),
        (imag_of_real, (np.zeros(3),), "`.imag` of a real array is not supported"),
        (transpose_run_time_axes, (np.zeros((2, 3)), 1), "axes must be a constant permutation"),
    ],
)
def test_compile_errors(f, args, message):
    with pytest.raises(ferrojit.TypingError) as e:
        f(*args)
    assert message in str(e.value)
    assert isinstance(e.value, TypeError)


@jit
def reversed_rows_reversed(X, out):
    for i, r in enumerate(X[::-1]):
        out[i, :] = r[::-1]


@pytest.mark.parametrize("layout", ["C", "F", "strided", "negative"])
def test_rows_of_a_loop_over_a_view_are_views(layout):
    same(reversed_rows_reversed, arrays_2d()[layout], np.zeros((5, 6)))


def test_an_overlapping_1d_store_reads_a_copy_of_its_source():
    # docs/language.md: the value is copied first when it overlaps the target, NumPy's result
    # for contiguous and multi-axis targets; NumPy's own 1-d strided loop writes a[1, 2]
    # before reading it (fuzz finding 606:2192: ferrojit keeps the copy rule).
    @jit
    def last_column_from_row(a):
        a[..., -1] = a[1]

    a = np.array([[3, 0, 8], [1, 1, 7], [1, 6, 0]], dtype=np.uint8)
    expected = a.copy()
    expected[..., -1] = a[1].copy()
    last_column_from_row(a)
    np.testing.assert_array_equal(a, expected)
    assert a[2, 2] == 7
