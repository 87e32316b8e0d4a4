"""Matrix products large enough for BLAS (SciPy's OpenBLAS gemm, as NumPy's
`@` calls OpenBLAS's): every layout BLAS takes as it lies (C, F, a
transposed view, a block of a larger array, a vector of any stride), the ones
it cannot (no unit stride, negative strides: matrixmultiply's gemm), against
NumPy, for the four dtypes; and products inside a `prange` body."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from ferrojit import jit, prange


@jit
def matmul(a, b):
    return a @ b


@jit
def dot(a, b):
    return np.dot(a, b)


# Above the size where real products go to BLAS (m*k*n >= 64**3).
M, K, N = 70, 65, 68


def values(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def layouts(shape, dtype, seed):
    """(name, array): the same values in each layout."""
    x = values(shape, dtype, seed)
    yield "C", x
    yield "F", np.asfortranarray(x)
    if len(shape) == 2:
        yield "transposed", np.ascontiguousarray(x.T).T
        block = np.zeros((shape[0] + 3, shape[1] + 5), dtype)
        block[1:-2, 2:-3] = x
        yield "block", block[1:-2, 2:-3]
    wide = np.zeros(tuple(2 * n for n in shape), dtype)
    strided = wide[tuple(slice(None, None, 2) for _ in shape)]
    strided[...] = x
    yield "strided", strided
    flipped = np.ascontiguousarray(x[tuple(slice(None, None, -1) for _ in shape)])
    yield "reversed", flipped[tuple(slice(None, None, -1) for _ in shape)]


def close(got, want, k):
    assert got.shape == want.shape and got.dtype == want.dtype
    assert got.flags.c_contiguous
    tol = 1e-4 if want.dtype in (np.float32, np.complex64) else 1e-12
    # Sums of k products in another order: relative to the terms' size.
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * k)


DTYPES = [np.float64, np.float32, np.complex128, np.complex64]


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_layout_pair_matches_numpy(dtype):
    for a_name, a in layouts((M, K), dtype, 1):
        for b_name, b in layouts((K, N), dtype, 2):
            want = a @ b
            for f in (matmul, dot):
                got = f(a, b)
                try:
                    close(got, want, K)
                except AssertionError as e:
                    raise AssertionError(f"{f.__name__} of {a_name} A and {b_name} B") from e


@pytest.mark.parametrize("dtype", DTYPES)
def test_vector_and_matrix_products_match_numpy(dtype):
    # v @ B and A @ v, with B and A large enough for BLAS by themselves.
    k, n = 600, 450
    for v_name, v in layouts((k,), dtype, 3):
        for m_name, b in layouts((k, n), dtype, 4):
            for got, want in [(matmul(v, b), v @ b), (matmul(b.T, v), b.T @ v)]:
                try:
                    close(got, want, k)
                except AssertionError as e:
                    raise AssertionError(f"{v_name} vector, {m_name} matrix") from e


def test_a_matrix_times_its_transpose_matches_numpy():
    # NumPy computes this one with syrk; ferrojit with gemm: the same values.
    a = values((90, 80), np.float64, 5)
    close(matmul(a, a.T), a @ a.T, 80)
    close(matmul(a.T, a), a.T @ a, 90)


@jit
def products_in_parallel(a, b, out):
    for i in prange(a.shape[0]):
        out[i] = a[i] @ b[i]
    return out


def test_products_inside_a_prange_body():
    # BLAS called from every worker thread at once, each call threaded by
    # BLAS itself: no deadlock, no mixed results.
    rng = np.random.default_rng(6)
    a = rng.standard_normal((16, 80, 70))
    b = rng.standard_normal((16, 70, 75))
    want = np.stack([a[i] @ b[i] for i in range(16)])
    for _ in range(5):
        got = products_in_parallel(a, b, np.zeros((16, 80, 75)))
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * 70)


def run_script(tmp_path, body):
    """The words a script prints, run in a fresh process (ferrojit compiles
    from source, so the script is a file)."""
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(body))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_the_first_product_loads_scipys_blas(tmp_path):
    assert run_script(tmp_path, """
        import sys
        import numpy as np
        import ferrojit

        @ferrojit.jit
        def product(a, b):
            return a @ b

        print("scipy.linalg.cython_blas" in sys.modules)
        product(np.eye(2), np.eye(2))
        print("scipy.linalg.cython_blas" in sys.modules)
    """) == ["False", "True"]


def test_products_without_scipy_match_numpy(tmp_path):
    # Without SciPy, every product is matrixmultiply's, whatever its layout.
    assert run_script(tmp_path, """
        import sys
        sys.modules["scipy"] = None  # as if SciPy were not installed
        import numpy as np
        import ferrojit

        @ferrojit.jit
        def product(a, b):
            return a @ b

        rng = np.random.default_rng(0)
        for dtype in (np.float64, np.float32, np.complex128):
            a = rng.standard_normal((70, 65)).astype(dtype)
            b = rng.standard_normal((65, 68)).astype(dtype)
            for x, y in [(a, b), (np.asfortranarray(a), b), (a, b[:, ::-1])]:
                tol = 1e-4 if dtype == np.float32 else 1e-12
                print(np.allclose(product(x, y), x @ y, rtol=tol, atol=tol * 65))
        print("scipy.linalg.cython_blas" in sys.modules)
    """) == ["True"] * 9 + ["False"]
