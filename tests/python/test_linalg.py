"""Linear algebra: `np.dot`, `np.matmul` and `a @ b`, against NumPy (`f.py_func`):
every pairing of vectors and matrices, float and complex dtypes, C, F, strided
and reversed layouts, empty extents, NumPy's exact shape errors."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit
from ferrojit._native import live_buffers


@jit
def matmul_op(a, b):
    return a @ b


@jit
def matmul_fn(a, b):
    return np.matmul(a, b)


@jit
def dot(a, b):
    return np.dot(a, b)


@jit
def product_in_expression(a, b, c):
    return (a @ b) * 2.0 + c


PRODUCTS = [matmul_op, matmul_fn, dot]


def layouts(shape, dtype):
    """The same values as a C array, an F array, a strided view and a reversed view."""
    rng = np.random.default_rng(sum(shape) + 7)
    values = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        values = values + 1j * rng.standard_normal(shape)
    c = values.astype(dtype)
    yield c
    yield np.asfortranarray(c)
    wide = np.zeros(tuple(2 * n for n in shape), dtype)
    view = wide[tuple(slice(None, None, 2) for _ in shape)]
    view[...] = c
    yield view
    yield np.ascontiguousarray(c[tuple(slice(None, None, -1) for _ in shape)])[
        tuple(slice(None, None, -1) for _ in shape)
    ]


def tolerance(dtype):
    return 1e-4 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-12


def check(f, a, b):
    want = f.py_func(a, b)
    got = f(a, b)
    assert np.asarray(got).shape == np.asarray(want).shape
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype
        assert got.flags.c_contiguous
    np.testing.assert_allclose(got, want, rtol=tolerance(np.asarray(want).dtype), atol=1e-12)


SHAPES = [((3, 4), (4, 5)), ((3, 4), (4,)), ((4,), (4, 5)), ((4,), (4,)), ((1, 1), (1, 1))]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.complex64])
@pytest.mark.parametrize("shapes", SHAPES)
def test_products_match_numpy(dtype, shapes):
    for f in PRODUCTS:
        for a in layouts(shapes[0], dtype):
            for b in layouts(shapes[1], dtype):
                check(f, a, b)


def test_large_product_matches_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((200, 300)), rng.standard_normal((300, 150))
    check(matmul_op, a, b)
    check(matmul_op, a.T.copy().T, b[:, ::-1])


def test_mixed_dtypes_promote_as_numpy():
    a32 = np.arange(6, dtype=np.float32).reshape(2, 3)
    b64 = np.linspace(0, 1, 12).reshape(3, 4)
    i64 = np.arange(12).reshape(3, 4)
    c64 = (np.arange(3) + 1j).astype(np.complex64)
    for f in PRODUCTS:
        check(f, a32, b64)
        check(f, a32, i64)
        check(f, a32, c64)
        check(f, np.arange(3), c64)


def test_empty_extents():
    for f in PRODUCTS:
        check(f, np.ones((2, 0)), np.ones((0, 3)))
        check(f, np.ones((0, 3)), np.ones((3, 2)))
        check(f, np.ones((2, 3)), np.ones((3, 0)))
        check(f, np.ones(0), np.ones(0))
        check(f, np.ones(0), np.ones((0, 2)))


def test_product_inside_an_expression():
    a, b, c = np.ones((2, 3)), np.arange(6.0).reshape(3, 2), np.array([1.0, -1.0])
    np.testing.assert_allclose(product_in_expression(a, b, c), product_in_expression.py_func(a, b, c))


MISMATCHED = [((2, 3), (4,)), ((2, 3), (4, 2)), ((3,), (4,)), ((3,), (4, 2)), ((2, 3), (2, 3))]


@pytest.mark.parametrize("shapes", MISMATCHED)
def test_shape_errors_are_numpys(shapes):
    a, b = np.ones(shapes[0]), np.ones(shapes[1])
    for f in PRODUCTS:
        with pytest.raises(ValueError) as want:
            f.py_func(a, b)
        with pytest.raises(ValueError) as got:
            f(a, b)
        assert str(got.value) == str(want.value)


def test_no_buffer_is_left_behind():
    a, b = np.ones((3, 4), np.float32), np.ones((4, 2))
    before = live_buffers()
    for _ in range(3):
        matmul_op(a, b)
        dot(a[0], b)
        with pytest.raises(ValueError):
            matmul_op(b, a)
    assert live_buffers() == before


def test_refusals_say_why():
    with pytest.raises(ferrojit.TypingError, match="of int64 arrays is not supported yet"):
        matmul_op(np.ones((2, 2), np.int64), np.ones((2, 2), np.int64))
    with pytest.raises(ferrojit.TypingError, match="of a number is not supported yet"):
        dot(2.0, np.ones(2))
    with pytest.raises(ferrojit.TypingError, match="of a 3-d array is not supported yet"):
        matmul_fn(np.ones((2, 2, 2)), np.ones((2, 2)))


def test_products_on_many_threads_at_once():
    # gemm's thread pool is shared by the process: concurrent calls must not mix.
    import threading

    rng = np.random.default_rng(3)
    pairs = [(rng.standard_normal((120, 80)), rng.standard_normal((80, 90))) for _ in range(4)]
    results = [None] * len(pairs)

    def work(i):
        for _ in range(5):
            results[i] = matmul_op(*pairs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(pairs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for (a, b), got in zip(pairs, results):
        np.testing.assert_allclose(got, a @ b, rtol=1e-12)
