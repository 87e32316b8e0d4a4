"""The memory order of new arrays made "like" another (NumPy's default
order='K'): `a.astype`, `np.copy`, `np.array(a)`, `np.asarray(a, dtype=)`,
`np.full_like`, `np.zeros_like`, `np.empty_like`, `np.ones_like`. Each result
must equal NumPy's in values, dtype and shape AND in strides and contiguity
flags, whatever the source: C, F, transposed, strided, negative strides,
3-d permutations, and sources whose type is a join of C and F. `a.copy()` is
order='C' in NumPy and here."""

import itertools

import numpy as np
import pytest

from ferrojit import jit


def same_layout(got, expected, values=True):
    assert isinstance(got, np.ndarray)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    assert got.strides == expected.strides
    assert got.flags.c_contiguous == expected.flags.c_contiguous
    assert got.flags.f_contiguous == expected.flags.f_contiguous
    if values:
        np.testing.assert_array_equal(got, expected)


@jit
def astype(x):
    return x.astype(np.float32)


@jit
def copy_fn(x):
    return np.copy(x)


@jit
def array_fn(x):
    return np.array(x)


@jit
def asarray_int(x):
    return np.asarray(x, dtype=np.int64)


@jit
def full_like(x):
    return np.full_like(x, 7)


@jit
def zeros_like(x):
    return np.zeros_like(x)


@jit
def ones_like(x):
    return np.ones_like(x, dtype=np.int32)


@jit
def empty_like(x):
    return np.empty_like(x)


@jit
def copy_method(x):
    return x.copy()


KEEPING = [astype, copy_fn, array_fn, asarray_int, full_like, zeros_like, ones_like]
EVERY = KEEPING + [empty_like, copy_method]


def sources():
    """Arrays passed from Python, typed C, F or A by their strides."""
    c2 = np.arange(24.0).reshape(4, 6)
    c3 = np.arange(60.0).reshape(3, 4, 5)
    yield "1d", np.arange(5.0)
    yield "1d-strided", np.arange(10.0)[::-3]
    yield "C", c2
    yield "F", np.asfortranarray(c2)
    yield "T", c2.T
    yield "T[::2]", c2.T[::2]
    yield "[:, ::2]", c2[:, ::2]
    yield "[::-1]", c2[::-1]
    yield "[::-1, ::-2]", c2[::-1, ::-2]
    yield "F[:, ::2]", np.asfortranarray(c2)[:, ::2]
    yield "C and F (1, n)", np.asfortranarray(np.arange(6.0).reshape(1, 6))
    yield "(n, 1) view", c2[:, 1:2]
    yield "(1, n) view", c2.T[1:2, ::2]
    for p in itertools.permutations(range(3)):
        yield f"transpose{p}", np.transpose(c3, p)
        yield f"transpose{p}[::2]", np.transpose(c3, p)[::2]
    yield "3d F", np.asfortranarray(c3)
    yield "3d mixed", np.transpose(c3, (1, 0, 2))[:, ::-2, 1:]


SOURCES = list(sources())


@pytest.mark.parametrize("f", EVERY, ids=lambda f: f.__name__)
@pytest.mark.parametrize("src", SOURCES, ids=[n for n, _ in SOURCES])
def test_like_keeps_numpy_order(f, src):
    _, a = src
    same_layout(f(a), f.py_func(a), values=f is not empty_like)


@jit
def views_copied(a):
    return (
        np.copy(a.T[::2]),
        a[:, ::2].astype(np.int32),
        np.empty_like(a.T[::2]),
        np.full_like(a[::-1, ::2], 1.5),
        np.array(a.T),
        np.zeros_like(a[:, ::-1]),
    )


@pytest.mark.parametrize("order", ["C", "F"])
def test_views_made_in_the_kernel(order):
    a = np.asarray(np.arange(30.0).reshape(5, 6), order=order)
    got = views_copied(a)
    expected = views_copied.py_func(a)
    for i, (g, e) in enumerate(zip(got, expected)):
        same_layout(g, e, values=i != 2)


@jit
def transposed3(a):
    return (
        np.copy(np.transpose(a, (1, 0, 2))),
        np.transpose(a, (2, 0, 1)).astype(np.float32),
        np.ones_like(np.transpose(a, (0, 2, 1))[:, ::2]),
        np.copy(np.transpose(a, (2, 1, 0))),
    )


def test_permutations_made_in_the_kernel():
    a = np.arange(60.0).reshape(3, 4, 5)
    for g, e in zip(transposed3(a), transposed3.py_func(a)):
        same_layout(g, e)


@jit
def joined(a, b, c):
    # `x`'s type joins C and F: layout A, so the order is chosen at run time.
    x = a if c else b.T
    return np.copy(x), x.astype(np.int64), np.zeros_like(x), np.full_like(x, 2), x.copy()


@pytest.mark.parametrize("c", [True, False])
def test_joined_types_choose_at_run_time(c):
    a = np.arange(12.0).reshape(3, 4)
    b = np.arange(12.0).reshape(4, 3)
    for g, e in zip(joined(a, b, c), joined.py_func(a, b, c)):
        same_layout(g, e)


def test_fuzz_609_3450_f_result_of_a_joined_type():
    # The fuzz finding: an F array whose type is A (a join) was copied in C order.
    a = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    b = np.arange(6.0).reshape(3, 2)
    got = joined(a, b, True)[1]
    assert got.flags.f_contiguous and not got.flags.c_contiguous
    same_layout(got, joined.py_func(a, b, True)[1])


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0)])
def test_empty_sources_are_c_contiguous(shape):
    # NumPy counts an empty array as C-contiguous: its copies are C-ordered.
    a = np.zeros(shape)[::-1].T
    for f in EVERY:
        got, expected = f(a), f.py_func(a)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        assert got.flags.c_contiguous == expected.flags.c_contiguous
        assert got.flags.f_contiguous == expected.flags.f_contiguous
