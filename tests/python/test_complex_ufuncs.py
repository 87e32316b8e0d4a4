"""NumPy's functions of complex numbers and arrays (`np.exp(1j * x)`, sqrt, log,
trigonometry, power...), `np.real`/`np.imag`/`np.angle`/`np.conjugate`,
`z.conjugate()`, against NumPy (`f.py_func`)."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit

COMPLEX = [np.complex64, np.complex128]


def close(got, want):
    assert isinstance(got, np.ndarray) == isinstance(want, np.ndarray), (got, want)
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
    # A number comes back as a Python number (a complex64 one as Python's complex).
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape
    single = want.dtype in (np.float32, np.complex64)
    np.testing.assert_allclose(got, want, rtol=2e-6 if single else 1e-13, atol=1e-6 if single else 1e-15)


def all_close(f, *args):
    with np.errstate(all="ignore"):
        want = f.py_func(*args)
        got = f(*args)
    for g, w in zip(got, want):
        close(g, w)


@jit
def functions(z):
    return (np.exp(z), np.sqrt(z), np.log(z), np.log2(z), np.log10(z), np.exp2(z), np.sin(z),
            np.cos(z), np.tan(z), np.sinh(z), np.cosh(z), np.tanh(z), np.square(z),
            np.negative(z), np.reciprocal(z), np.absolute(z), np.conjugate(z), np.conj(z))


@jit
def parts(z):
    return np.real(z), np.imag(z), np.angle(z), z.conjugate(), z.conj()


@jit
def powers(z, w):
    return z ** w, np.power(z, w), z ** 2, z ** -1


def samples(dtype):
    rng = np.random.default_rng(3)
    z = (rng.standard_normal(9) * 2 + 1j * rng.standard_normal(9) * 2).astype(dtype)
    return np.concatenate([z, np.array([0, 1, -1, 1j, -1j, -4 + 0j, -4 - 0j, 2.5], dtype)])


@pytest.mark.parametrize("dtype", COMPLEX)
def test_functions_of_complex_arrays(dtype):
    z = samples(dtype)
    all_close(functions, z[1:])  # not 0: log(0) is -inf + nan j
    all_close(parts, z)
    m = z[:16].reshape(4, 4)
    all_close(functions, np.asfortranarray(m)[::-1, 1:])


@pytest.mark.parametrize("dtype", COMPLEX)
def test_functions_of_complex_numbers(dtype):
    for z in samples(dtype)[1:]:
        all_close(functions, z)
        all_close(parts, z)


def test_exp_of_an_imaginary_array_and_of_real_infinities():
    @jit
    def phases(x):
        return np.exp(1j * x)

    x = np.linspace(-3, 3, 13)
    close(phases(x), phases.py_func(x))

    @jit
    def exp(z):
        return np.exp(z)

    # A real argument keeps its zero imaginary part, infinite or not.
    z = np.array([np.inf + 0j, -np.inf + 0j, 710 + 0j])
    with np.errstate(over="ignore"):
        close(exp(z), exp.py_func(z))


def test_complex_powers_follow_numpy():
    z = samples(np.complex128)
    all_close(powers, z[1:], z[::-1][:-1])
    all_close(powers, z[1:], 0.5)
    # NumPy's zero base: 0 ** positive real is 0, 0 ** 0 is 1.
    all_close(powers, np.array([0j, 0j]), np.array([2 + 0j, 0j]))
    all_close(powers, 1.5 + 2j, -0.5 + 1j)


@jit
def real_parts(x):
    return np.real(x), np.angle(x), np.conjugate(x), x.conjugate()


def test_real_numbers_and_other_types():
    for x in (np.array([-2.0, 0.0, 3.5]), np.array([-2, 0, 3]), np.array([-2, 0, 3], np.int32),
              np.float32(-2.5), -3.0):
        all_close(real_parts, x)

    @jit
    def imag(x):
        return np.imag(x)

    # NumPy has no bool loop for conjugate: a bool array becomes int8 (fuzz finding 95:2577).
    @jit
    def conjugate(x):
        return np.conjugate(x)

    flags = np.array([True, False])
    assert conjugate(flags).dtype == conjugate.py_func(flags).dtype == np.int8
    np.testing.assert_array_equal(conjugate(flags), conjugate.py_func(flags))

    # NumPy gives a new read-only array of zeros; ferrojit says to write np.zeros_like.
    with pytest.raises(ferrojit.TypingError, match="`.imag` of a real array is not supported"):
        imag(np.ones(3))


def test_real_and_imag_of_an_array_are_views():
    @jit
    def zero_imag(z):
        np.imag(z)[:] = 0.0
        return np.real(z)

    z = samples(np.complex128)
    want = z.real.copy()
    r = zero_imag(z)
    assert np.all(z.imag == 0)
    np.testing.assert_array_equal(r, want)
    assert r.base is z


def test_complex_sums_and_running_sums():
    @jit
    def sums(z):
        return z.sum(), z.prod(), z.mean(), np.cumsum(z), np.cumprod(z)

    z = samples(np.complex128)[1:6]
    all_close(sums, z)


def test_sign_and_ordering_of_complex_numbers_are_refused():
    @jit
    def sign(z):
        return np.sign(z)

    with pytest.raises(ferrojit.TypingError, match="`np.sign` needs real numbers"):
        sign(np.ones(2, np.complex128))
