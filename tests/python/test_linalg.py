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


@jit
def vdot(a, b):
    return np.vdot(a, b)


@jit
def outer(a, b):
    return np.outer(a, b)


@jit
def trace(a):
    return np.trace(a)


@jit
def norm(x):
    return np.linalg.norm(x)


@jit
def norm_of_difference(x, y):
    return np.linalg.norm(x - y)


@jit
def det(a):
    return np.linalg.det(a)


@jit
def inv(a):
    return np.linalg.inv(a)


@jit
def solve(a, b):
    return np.linalg.solve(a, b)


@jit
def cholesky(a):
    return np.linalg.cholesky(a)


def close(got, want, dtype=None):
    want_arr = np.asarray(want)
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray) and got.dtype == want.dtype and got.shape == want.shape
    # Elements are compared to the scale of the whole result: rounding errors are
    # relative to it, not to each element (a tiny entry of a float32 factor).
    rtol = tolerance(dtype or want_arr.dtype)
    finite = np.abs(want_arr[np.isfinite(want_arr)])
    scale = finite.max() if finite.size else 0.0
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale + 1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int64])
def test_vdot_outer_trace_norm_match_numpy(dtype):
    for a in layouts((5,), dtype):
        for b in layouts((5,), dtype):
            close(vdot(a, b), vdot.py_func(a, b), dtype)
        close(outer(a, a[:3]), outer.py_func(a, a[:3]))
        close(norm(a), norm.py_func(a), dtype)
    for m in layouts((3, 4), dtype):
        close(trace(m), trace.py_func(m))
        close(trace(m.T), trace.py_func(m.T))
        close(norm(m), norm.py_func(m), dtype)
    x, y = np.linspace(0, 1, 7), np.linspace(1, 3, 7)
    close(norm_of_difference(x, y), norm_of_difference.py_func(x, y))
    for cube in layouts((2, 3, 4), dtype):
        close(norm(cube), norm.py_func(cube), dtype)


def test_result_types_are_numpys():
    i8 = np.arange(3, dtype=np.int8)
    assert outer(i8, i8).dtype == np.int8
    assert type(trace(np.ones((2, 2), np.int8))) is int
    assert trace(np.ones((2, 3), bool)) == 2
    assert isinstance(norm(np.arange(3)), float)
    assert norm(np.array([3 + 4j], np.complex64)) == 5.0
    assert det(np.eye(2, dtype=np.float32)) == 1.0
    assert inv(np.eye(2, dtype=np.int64)).dtype == np.float64
    assert solve(np.eye(2, dtype=np.float32), np.ones(2, np.float32)).dtype == np.float32
    assert det(np.zeros((0, 0))) == 1.0


def test_vdot_size_mismatch_is_numpys():
    a, b = np.ones(3), np.ones(4)
    with pytest.raises(ValueError) as want:
        vdot.py_func(a, b)
    with pytest.raises(ValueError) as got:
        vdot(a, b)
    assert str(got.value) == str(want.value)


def well_conditioned(n, dtype, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, n)) + n * np.eye(n)).astype(dtype)


# NumPy warns on the float32 cast of a determinant that overflows (inf, as ferrojit's).
@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.complex64])
def test_factorizations_match_numpy(dtype):
    for n in (1, 2, 5, 30):
        for a in layouts((n, n), dtype):
            a = a + n * np.eye(n, dtype=dtype)
            close(det(a), det.py_func(a), dtype)
            close(inv(a), inv.py_func(a))
            rhs = np.arange(n, dtype=dtype)
            close(solve(a, rhs), solve.py_func(a, rhs))
            close(solve(a, np.ones((n, 3), dtype)[:, ::-1]), solve.py_func(a, np.ones((n, 3), dtype)))
            spd = a @ a.conj().T
            close(cholesky(spd), cholesky.py_func(spd))
    # a permutation: det's sign follows the row swaps
    p = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    close(det(p), det.py_func(p))
    close(det(p[::-1]), det.py_func(p[::-1]))


def test_linalg_errors_are_numpys_own():
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    cases = [
        (inv, (singular,)),
        (solve, (singular, np.ones(2))),
        (cholesky, (-np.eye(2),)),
        (det, (np.ones((2, 3)),)),
        (inv, (np.ones((3, 2)),)),
        (solve, (np.ones((2, 3)), np.ones(2))),
    ]
    for f, args in cases:
        with pytest.raises(np.linalg.LinAlgError) as want:
            f.py_func(*args)
        with pytest.raises(np.linalg.LinAlgError) as got:
            f(*args)
        assert str(got.value) == str(want.value), f
    assert det(singular) == 0.0
    for b in (np.ones(3), np.ones((3, 2))):
        with pytest.raises(ValueError) as want:
            solve.py_func(np.eye(2), b)
        with pytest.raises(ValueError) as got:
            solve(np.eye(2), b)
        assert str(got.value) == str(want.value)


def test_linalg_resolves_as_an_attribute_and_a_module():
    import numpy.linalg as la
    from numpy.linalg import norm as numpy_norm

    @jit
    def through_module(a):
        return la.det(a) + numpy_norm(a)

    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    close(through_module(a), through_module.py_func(a))


def test_factorizations_leave_no_buffer():
    a = well_conditioned(4, np.float64)
    before = live_buffers()
    for _ in range(3):
        det(a), inv(a), solve(a, np.ones(4)), cholesky(a @ a.T)
        with pytest.raises(np.linalg.LinAlgError):
            inv(np.zeros((2, 2)))
    assert live_buffers() == before


@jit
def eigh(a):
    return np.linalg.eigh(a)


@jit
def eigenvalues_only(a):
    w, v = np.linalg.eigh(a)
    return w


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.complex64])
def test_eigh_matches_numpy(dtype):
    for n in (1, 2, 6, 25):
        for a in layouts((n, n), dtype):
            a = (a + a.conj().T).astype(dtype)
            a[np.triu_indices(n, 1)] = 7.0  # only the lower triangle is read, as NumPy's 'L'
            w, v = eigh(a)
            want_w, want_v = eigh.py_func(a)
            assert w.dtype == want_w.dtype and v.dtype == want_v.dtype and v.shape == (n, n)
            close(w, want_w)
            herm = np.tril(a) + np.tril(a, -1).conj().T
            # Vectors are NumPy's up to a unit factor: check A v = v diag(w) and orthonormality.
            v128 = v.astype(np.complex128)
            close(herm.astype(np.complex128) @ v128, v128 * w, dtype)
            close(v128.conj().T @ v128, np.eye(n, dtype=np.complex128), dtype)
            close(eigenvalues_only(a), want_w)


@jit
def lstsq(a, b):
    return np.linalg.lstsq(a, b)


@jit
def lstsq_rcond(a, b, rcond):
    return np.linalg.lstsq(a, b, rcond=rcond)


@jit
def lstsq_positional(a, b):
    return np.linalg.lstsq(a, b, 0.5)


def check_lstsq(got, want):
    x, residuals, rank, s = got
    assert rank == want[2]
    close(x, want[0])
    close(residuals, want[1])
    close(s, want[3])


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int64])
def test_lstsq_matches_numpy(dtype):
    # over- and underdetermined, square, one or several right sides, empty extents
    for m, n, k in [(6, 3, None), (6, 3, 2), (3, 6, None), (4, 4, 2), (5, 0, None), (0, 3, None), (5, 3, 0)]:
        for a in layouts((m, n), dtype):
            shape = (m,) if k is None else (m, k)
            b = np.arange(np.prod(shape), dtype=dtype).reshape(shape)
            check_lstsq(lstsq(a, b), lstsq.py_func(a, b))
    # rank-deficient: no residuals, the rank NumPy finds, and rcond cutting more
    a = np.ones((4, 3))
    a[:, 0] = np.arange(4)
    b = np.arange(4.0) ** 2
    check_lstsq(lstsq(a, b), lstsq.py_func(a, b))
    for rcond in (None, 1e-3, 0.5, -1):
        check_lstsq(lstsq_rcond(a, b, rcond), lstsq_rcond.py_func(a, b, rcond))
    check_lstsq(lstsq_positional(a, b), lstsq_positional.py_func(a, b))


def test_lstsq_errors_are_numpys():
    for args in [(np.ones((3, 2)), np.ones(4)), (np.ones((3, 2)), np.ones((2, 2)))]:
        with pytest.raises(np.linalg.LinAlgError) as want:
            lstsq.py_func(*args)
        with pytest.raises(np.linalg.LinAlgError) as got:
            lstsq(*args)
        assert str(got.value) == str(want.value)
    with pytest.raises(ferrojit.TypingError, match="`rcond` as a number or None"):
        lstsq_rcond(np.ones((2, 2)), np.ones(2), 1j)

    @jit
    def unknown_keyword(a, b):
        return np.linalg.lstsq(a, b, full=True)

    with pytest.raises(ferrojit.TypingError, match="with `full=` is not supported yet"):
        unknown_keyword(np.ones((2, 2)), np.ones(2))


def test_factorizations_without_scipy_say_what_to_install(tmp_path):
    """LAPACK comes from SciPy: without it, a factorization is an ImportError
    that says so, at the first call; products, which need no LAPACK, work."""
    import subprocess
    import sys
    import textwrap

    script = tmp_path / "no_scipy.py"
    script.write_text(textwrap.dedent("""
        import sys
        sys.modules["scipy"] = None  # as if SciPy were not installed
        import numpy as np
        import ferrojit

        @ferrojit.jit
        def det(a):
            return np.linalg.det(a)

        @ferrojit.jit
        def product(a):
            return a @ a

        print(product(np.eye(2))[0, 0])
        try:
            det(np.eye(2))
        except ImportError as e:
            print("ImportError:", e)
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0] == "1.0"
    assert lines[1].startswith(
        "ImportError: np.linalg's det, inv, solve, cholesky, eigh and lstsq call LAPACK, which "
        "ferrojit takes from SciPy (as Numba does): install SciPy (pip install scipy); "
        "importing scipy.linalg.cython_lapack failed"
    ), lines[1]
