"""Arrays built from arrays: `np.concatenate`, `np.stack`, `np.hstack`, `np.vstack`,
`np.triu`, `np.tril`, against NumPy (`f.py_func`): dtypes and their promotion, layouts,
empty arrays, NumPy's shape errors with their exact text, and the compile-time refusals."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit
from ferrojit._native import live_buffers

DTYPES = [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.uint64, np.float32, np.float64,
          np.complex128]


def layouts(a):
    yield a
    yield np.asfortranarray(a)
    wide = np.zeros(tuple(2 * n for n in a.shape), a.dtype)
    view = wide[tuple(slice(None, None, 2) for _ in a.shape)]
    view[...] = a
    yield view
    yield np.ascontiguousarray(a[tuple(slice(None, None, -1) for _ in a.shape)])[
        tuple(slice(None, None, -1) for _ in a.shape)
    ]


def same(got, want):
    assert isinstance(got, np.ndarray)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_array_equal(got, want)


def values(shape, dtype, seed=0):
    v = np.random.default_rng(seed).integers(0, 9, size=shape)
    return v.astype(dtype)


@jit
def concat0(a, b):
    return np.concatenate((a, b))


@jit
def concat1(a, b, c):
    return np.concatenate((a, b, c), axis=1)


@jit
def concat_last(a, b):
    return np.concatenate((a, b), axis=-1)


@jit
def concat_flat(a, b):
    return np.concatenate((a, b), axis=None)


@jit
def stack0(a, b):
    return np.stack((a, b))


@jit
def stack_last(a, b):
    return np.stack((a, b), axis=-1)


@jit
def hstack(a, b):
    return np.hstack((a, b))


@jit
def vstack(a, b):
    return np.vstack((a, b))


@jit
def triu(m):
    return np.triu(m)


@jit
def tril_k(m, k):
    return np.tril(m, k)


@jit
def triu_k(m, k):
    return np.triu(m, k=k)


@pytest.mark.parametrize("dtype", DTYPES)
def test_concatenate_is_numpys(dtype):
    a, b, c = values((2, 3), dtype), values((4, 3), dtype, 1), values((2, 1), dtype, 2)
    for x in layouts(a):
        for y in layouts(b):
            same(concat0(x, y), concat0.py_func(x, y))
            same(concat_flat(x, y), concat_flat.py_func(x, y))
        for z in layouts(c):
            same(concat1(x, x, z), concat1.py_func(x, x, z))
            same(concat_last(x, z), concat_last.py_func(x, z))
    e = np.zeros((0, 3), dtype)
    same(concat0(e, b), concat0.py_func(e, b))
    same(concat0(values((5,), dtype), values((0,), dtype)), concat0.py_func(values((5,), dtype), values((0,), dtype)))


def test_concatenate_promotes():
    pairs = [(np.int32, np.float32), (np.uint8, np.bool_), (np.int64, np.uint64), (np.float32, np.complex128)]
    for da, db in pairs:
        a, b = values((3,), da), values((2,), db)
        same(concat0(a, b), concat0.py_func(a, b))
        same(vstack(a, values((3,), db)), vstack.py_func(a, values((3,), db)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_stack_hstack_vstack_are_numpys(dtype):
    a, b = values((2, 3), dtype), values((2, 3), dtype, 1)
    for x in layouts(a):
        for y in layouts(b):
            same(stack0(x, y), stack0.py_func(x, y))
            same(stack_last(x, y), stack_last.py_func(x, y))
            same(hstack(x, y), hstack.py_func(x, y))
            same(vstack(x, y), vstack.py_func(x, y))
    v, w = values((4,), dtype), values((3,), dtype)
    same(hstack(v, w), hstack.py_func(v, w))
    same(vstack(v, v), vstack.py_func(v, v))
    same(stack0(v, v), stack0.py_func(v, v))
    s = np.array(3, dtype)
    same(hstack(s, v), hstack.py_func(s, v))
    same(vstack(s, s), vstack.py_func(s, s))
    same(vstack(v[:1], a[:, 0:1].T[:, :1]), vstack.py_func(v[:1], a[:, 0:1].T[:, :1]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_triu_tril_are_numpys(dtype):
    for shape in [(4, 4), (3, 5), (5, 2), (2, 3, 4), (0, 3)]:
        for m in layouts(values(shape, dtype)):
            same(triu(m), triu.py_func(m))
            for k in (-2, -1, 0, 1, 3):
                same(tril_k(m, k), tril_k.py_func(m, k))
                same(triu_k(m, k), triu_k.py_func(m, k))


def errors(f, *args):
    with pytest.raises(ValueError) as want:
        f.py_func(*args)
    with pytest.raises(ValueError) as got:
        f(*args)
    assert str(got.value) == str(want.value)


def test_shape_errors_are_numpys():
    errors(concat0, np.zeros((2, 3)), np.zeros((2, 2)))
    errors(concat1, np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((3, 3)))
    errors(stack0, np.zeros((2, 3)), np.zeros((2, 2)))
    errors(hstack, np.zeros((2, 3)), np.zeros((3, 2)))
    errors(vstack, np.zeros(3), np.zeros(2))


def test_joining_frees_its_buffers():
    a = values((3, 4), np.float64)
    before = live_buffers()
    for _ in range(3):
        concat_flat(a, a)
        stack0(a, a)
        vstack(a, a)
        triu(a)
    assert live_buffers() == before


def test_refusals_are_compile_errors():
    @jit
    def mixed(a, b):
        return np.concatenate((a, b))

    with pytest.raises(ferrojit.TypingError, match=r"E0286.*all the input arrays must have same number of dimensions, but the array at index 0 has 2 dimension\(s\) and the array at index 1 has 1 dimension\(s\)"):
        mixed(np.zeros((2, 2)), np.zeros(2))

    with pytest.raises(ferrojit.TypingError, match=r"E0286.*zero-dimensional arrays cannot be concatenated"):
        mixed(np.zeros(()), np.zeros(()))

    @jit
    def not_a_tuple(a):
        return np.concatenate(a)

    with pytest.raises(ferrojit.TypingError, match=r"E0285.*needs a tuple of arrays"):
        not_a_tuple(np.zeros((2, 2)))

    @jit
    def out_of_range(a):
        return np.stack((a, a), axis=3)

    with pytest.raises(ferrojit.TypingError, match=r"E0238.*axis 3 is out of bounds for array of dimension 3"):
        out_of_range(np.zeros((2, 2)))

    @jit
    def vector_triu(a):
        return np.triu(a)

    with pytest.raises(ferrojit.TypingError, match=r"E0285.*needs an array of 2 or more dimensions"):
        vector_triu(np.zeros(3))


@jit
def convolve(a, v):
    return np.convolve(a, v)


@jit
def convolve_same(a, v):
    return np.convolve(a, v, mode="same")


@jit
def convolve_valid(a, v):
    return np.convolve(a, v, "valid")


@pytest.mark.parametrize("dtypes", [(np.int64, np.int64), (np.int8, np.int32), (np.float64, np.float64),
                                    (np.float32, np.float32), (np.uint8, np.float32), (np.complex128, np.float64)])
def test_convolve_is_numpys(dtypes):
    for n, m in [(1, 1), (5, 3), (3, 5), (6, 6), (7, 2), (2, 8)]:
        a, v = values((n,), dtypes[0]) + 1, values((m,), dtypes[1], 3) - 2
        for x in layouts(a):
            for y in layouts(v):
                for f in (convolve, convolve_same, convolve_valid):
                    got, want = f(x, y), f.py_func(x, y)
                    assert got.dtype == want.dtype and got.shape == want.shape
                    # NumPy's dot products may add in another order: the last bits of floats differ.
                    np.testing.assert_allclose(got, want, rtol=1e-6 if dtypes[0] == np.float32 else 1e-12)


def test_convolve_errors_are_numpys():
    errors(convolve, np.zeros(0), np.ones(3))
    errors(convolve, np.ones(3), np.zeros(0))
    errors(convolve, np.zeros(0), np.zeros(0))


@jit
def joined_orders(a, b):
    return (np.concatenate((a, b), axis=-1), np.concatenate((a, b)), np.stack((a, b)),
            np.stack((a, b), axis=-1), np.hstack((a, b)), np.vstack((a, b)))


def same_layout(got, want):
    same(got, want)
    if want.size:  # NumPy 2 gives empty arrays zero strides, which ferrojit does not
        assert got.strides == want.strides, (got.strides, want.strides)
    assert got.flags.c_contiguous == want.flags.c_contiguous
    assert got.flags.f_contiguous == want.flags.f_contiguous


def test_result_order_follows_numpy():
    """Fuzz finding 96:7857: the joined array's order comes from all the parts' strides
    (NumPy's PyArray_CreateMultiSortedStridePerm): F parts give an F result, a C part wins
    a conflict, a part with an axis of extent 1 does not decide that axis."""
    for shape in [(2, 3), (3, 1), (1, 3), (2, 3, 4), (2, 1, 3), (0, 3)]:
        x = values(shape, np.float64)
        for a in layouts(x):
            for b in layouts(x + 1):
                for got, want in zip(joined_orders(a, b), joined_orders.py_func(a, b)):
                    same_layout(got, want)
    # A row (extent 1) beside an F array: only the F array decides, so F.
    row, f = np.ones((1, 3)), np.asfortranarray(values((2, 3), np.float64))
    for args in ((row, f), (f, row)):
        same_layout(concatenate0(*args), np.concatenate(args))
    v = np.arange(3.0)
    same_layout(vstack2(v, f), np.vstack((v, f)))


@jit
def concatenate0(a, b):
    return np.concatenate((a, b))


@jit
def vstack2(a, b):
    return np.vstack((a, b))
