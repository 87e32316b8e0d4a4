"""A kernel goes through LLVM's function passes once (inlined into its entry
wrapper first), so what a second round used to find must be in the emitted
IR: a range counting up from a constant start >= 0 has a non-negative
variable (nsw), which makes `i % 11` an unsigned remainder, as fast as before.
The flags must never be given where they do not hold: negative starts, steps
and bounds near the int64 limits still give CPython's results."""

import pytest

from ferrojit import jit


def powers_of_remainders(n):
    s = 0
    for i in range(n):
        s += (i % 11) ** 3 - (i % 5) ** 2
    return s


def test_remainder_of_a_counter_from_zero_is_unsigned_and_the_kernel_is_inlined():
    f = jit(powers_of_remainders)
    for n in (0, 1, 11, 1000):
        assert f(n) == f.py_func(n)
    ir = f.inspect_llvm()[("int64",)]
    assert "urem" in ir and "srem" not in ir, ir
    # The kernel's body is in the entry wrapper only.
    defines = [line for line in ir.splitlines() if line.startswith("define ")]
    assert len(defines) == 1 and "_entry(" in defines[0], defines


def from_start(start, stop, step):
    s = 0
    for i in range(start, stop, step):
        s += i % 7 - (i // 3) % 5
    return s


def from_minus_five(n):
    s = 0
    for i in range(-5, n):
        s += i % 7
    return s


def near_the_top(k):
    # A constant start >= 0 whose last values are next to int64's maximum.
    s = 0
    for i in range(9223372036854775800, 9223372036854775807):
        s += (i % 1000) * k
    return s


def from_two_by_three(n):
    s = 0
    for i in range(2, n, 3):
        s += i % 4
    return s


@pytest.mark.parametrize(
    "args",
    [(-20, 20, 1), (-20, 20, 3), (20, -20, -3), (0, 30, 4), (-(2**63), -(2**63) + 40, 7),
     (2**63 - 40, 2**63 - 1, 5), (5, 5, 1)],
)
def test_ranges_the_flags_do_not_cover_keep_python_results(args):
    f = jit(from_start)
    assert f(*args) == f.py_func(*args)


@pytest.mark.parametrize("kernel,arg", [(from_minus_five, 30), (near_the_top, 3), (from_two_by_three, 100),
                                        (from_two_by_three, 0)])
def test_constant_starts_keep_python_results(kernel, arg):
    f = jit(kernel)
    assert f(arg) == f.py_func(arg)

