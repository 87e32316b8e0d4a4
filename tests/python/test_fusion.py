"""Fusion of array temporaries (typeinfer's `fusion` pass): `t = <array
expression>` that only feeds the next statement is computed inside that
statement's loop and never allocated; results, exceptions and their lines are
those of the unfused program (NumPy's, through `f.py_func`)."""

import traceback

import numpy as np
import pytest

from ferrojit import jit, prange


def allocations(f):
    """How many buffers the compiled code of `f`'s (only) signature allocates."""
    (ir,) = f.inspect_llvm().values()
    return ir.count("call ptr @ferrojit_alloc")


@jit
def centered_square_sum(x, mu):
    d = x - mu
    return np.sum(d * d)


@jit
def chain(a, b):
    t = a * b
    u = t + 1.0
    return np.sqrt(u) * 2.0


@jit
def standardize(x):
    out = np.empty_like(x)
    for j in range(x.shape[1]):
        col = x[:, j]
        mu = col.mean()
        c = col - mu
        sd = np.sqrt((c ** 2).mean())
        out[:, j] = (col - mu) / sd
    return out


@jit
def into_slice(a, b, out):
    t = a * b + 2.0
    out[1:] = t
    return out


@jit
def in_place(a, b):
    t = b * 3.0
    a += t
    return a


@jit
def overlapping(a):
    t = a[:-1] * 2.0
    a[1:] = t
    return a


@jit
def read_twice_elsewhere(a):
    t = a * 2.0
    s = t.sum()
    return t + s


@jit
def in_a_loop(a, n):
    s = 0.0
    for i in range(n):
        t = a * i
        s += np.max(t - 1.0)
    return s


@jit
def scaled_sum_over(x, n):
    t = np.abs(x)
    return t.sum() / n


@jit
def in_prange(a, out):
    for i in prange(a.shape[0]):
        row = a[i] * 2.0
        out[i] = np.sum(row + 1.0)
    return out


def test_a_temporary_read_twice_is_computed_twice_not_stored():
    x = np.linspace(-1, 3, 101)
    assert centered_square_sum(x, 0.5) == pytest.approx(centered_square_sum.py_func(x, 0.5), rel=1e-14)
    assert allocations(centered_square_sum) == 0


def test_a_chain_of_temporaries_is_one_loop():
    a, b = np.arange(6.0), np.linspace(0, 1, 6)
    np.testing.assert_array_equal(chain(a, b), chain.py_func(a, b))
    assert allocations(chain) == 1  # the result only


@jit
def standardize_inline(x):
    out = np.empty_like(x)
    for j in range(x.shape[1]):
        col = x[:, j]
        mu = col.mean()
        sd = np.sqrt(((col - mu) ** 2).mean())
        out[:, j] = (col - mu) / sd
    return out


def test_standardize_with_a_temporary_is_the_issues_one_expression():
    x = np.random.default_rng(0).normal(size=(50, 7))
    np.testing.assert_allclose(standardize(x), standardize.py_func(x), rtol=1e-13)
    standardize_inline(x)
    # The output, and the copy a store makes only if its value overlaps the target.
    assert allocations(standardize) == allocations(standardize_inline) == 2


@pytest.mark.parametrize("f, args", [
    (into_slice, lambda: (np.arange(4.0), np.ones(4), np.zeros(5))),
    (in_place, lambda: (np.arange(4.0), np.arange(4.0))),
    (overlapping, lambda: (np.arange(6.0),)),
    (read_twice_elsewhere, lambda: (np.arange(5.0),)),
    (in_a_loop, lambda: (np.arange(5.0), 4)),
    (scaled_sum_over, lambda: (np.arange(-3.0, 3.0), 4)),
])
def test_fused_results_are_numpys(f, args):
    np.testing.assert_array_equal(f(*args()), f.py_func(*args()))


@jit
def into_slice_inline(a, b, out):
    out[1:] = a * b + 2.0
    return out


@jit
def in_place_inline(a, b):
    a += b * 3.0
    return a


def test_stores_and_loops_compile_as_if_written_in_one_expression():
    # A store that may overlap its value keeps one allocation, taken only when
    # the memory does overlap: exactly what the expression written inline has.
    for fused, inline, args in [
        (into_slice, into_slice_inline, (np.arange(4.0), np.ones(4), np.zeros(5))),
        (in_place, in_place_inline, (np.arange(4.0), np.arange(4.0))),
    ]:
        fused(*args)
        inline(*args)
        assert allocations(fused) == allocations(inline), fused
    in_a_loop(np.arange(5.0), 4)
    assert allocations(in_a_loop) == 0


def test_overlap_reads_the_values_before_the_store():
    a = np.arange(6.0)
    np.testing.assert_array_equal(overlapping(a.copy()), [0.0, 0.0, 2.0, 4.0, 6.0, 8.0])


@jit
def two_mismatches(a, b, z):
    t = a * b
    c = t + z
    return c


def test_the_temporarys_error_comes_first_at_its_line():
    a, b, z = np.ones(3), np.ones(4), np.ones(5)
    with pytest.raises(ValueError) as got:
        two_mismatches(a, b, z)
    with pytest.raises(ValueError) as want:
        two_mismatches.py_func(a, b, z)
    assert str(got.value) == str(want.value)
    line = two_mismatches.py_func.__code__.co_firstlineno + 2
    assert traceback.extract_tb(got.tb)[-1].lineno == line
    # Only the second statement fails: its own message.
    with pytest.raises(ValueError, match=r"shapes \(3,\) \(5,\)"):
        two_mismatches(a, a, z)


def test_temporaries_in_prange_bodies_give_numpys_result():
    # `out[i] = ...` stores an element, whose index may fail: `row` is made (docs/language.md).
    a = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(in_prange(a, np.zeros(3)), in_prange.py_func(a, np.zeros(3)))
