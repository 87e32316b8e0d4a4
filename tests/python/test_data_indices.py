"""Indices known only at run time (`a[idx[i]]`, `h[int(x[i] * b)] += 1`) and
the float operations that make them: checked per element, with negative
indices wrapped, and an out-of-bounds index raising at the first failing
iteration with every earlier iteration's effects done, as CPython and NumPy.
Also the exact values of a float's conversion to int64 (docs/language.md) and
of float `//` by constants, whose lowering was made cheaper."""

import math
import platform
import re

import numpy as np
import pytest

from ferrojit import jit


@jit
def gather(a, idx, out):
    for i in range(idx.shape[0]):
        out[i] = a[idx[i]]


@jit
def scatter_add(a, idx, out):
    for i in range(idx.shape[0]):
        out[idx[i]] += a[i]


@jit
def histogram(x, bins, h):
    for i in range(x.shape[0]):
        h[int(x[i] * bins)] += 1


def outcome(f, args):
    """The exception (type and message) or None, and the arrays after the call."""
    try:
        f(*args)
        error = None
    except IndexError as e:
        error = (type(e), str(e))
    return error, [a.copy() for a in args if isinstance(a, np.ndarray)]


def same_as_python(f, make_args):
    got_error, got = outcome(f, make_args())
    want_error, want = outcome(f.py_func, make_args())
    assert got_error == want_error
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    return got_error


# Positions of the failing index: first, inside and at the end of a block of
# iterations, and last; long enough for a loop that is unrolled or strip-mined.
N = 1000
BAD_AT = [0, 1, 255, 256, 257, 511, 600, N - 1]


def indices(bad_at, bad):
    idx = (np.arange(N) * 7919) % 50 - 25  # negative ones wrap around
    if bad_at is not None:
        idx[bad_at] = bad
    return idx


@pytest.mark.parametrize("bad_at", BAD_AT + [None])
@pytest.mark.parametrize("bad", [50, -51, 2**62, -(2**63)])
def test_gather_raises_at_the_first_failing_iteration(bad_at, bad):
    a = np.arange(50.0) * 1.5
    error = same_as_python(gather, lambda: (a, indices(bad_at, bad), np.zeros(N)))
    assert (error is None) == (bad_at is None)
    if bad_at is not None:
        assert error[1] == f"index {bad} is out of bounds for axis 0 with size 50"


@pytest.mark.parametrize("bad_at", BAD_AT + [None])
@pytest.mark.parametrize("bad", [50, -51])
def test_scatter_add_raises_at_the_first_failing_iteration(bad_at, bad):
    a = np.arange(float(N))
    error = same_as_python(scatter_add, lambda: (a, indices(bad_at, bad), np.zeros(50)))
    assert (error is None) == (bad_at is None)


@pytest.mark.parametrize("bad_at", BAD_AT + [None])
@pytest.mark.parametrize("bad", [1.0, 1.5, -1.01, math.inf, -math.inf])
def test_histogram_raises_at_the_first_failing_iteration(bad_at, bad):
    x = np.linspace(-0.99, 0.99, N)  # int() truncates toward zero; negatives wrap
    if bad_at is not None:
        x[bad_at] = bad
    if math.isinf(bad):
        # CPython raises OverflowError in int(); ferrojit's int() gives
        # INT64_MIN (docs/language.md), an out-of-bounds index.
        h = np.zeros(64, np.int64)
        if bad_at is None:
            return
        with pytest.raises(IndexError, match=f"index {-(2**63)} is out of bounds for axis 0 with size 64"):
            histogram(x, 64, h)
        want = np.zeros(64, np.int64)
        histogram.py_func(x[:bad_at], 64, want)
        np.testing.assert_array_equal(h, want)
        return
    same_as_python(histogram, lambda: (x.copy(), 64, np.zeros(64, np.int64)))


@jit
def scatter_rows(idx, cols, h):
    # A 2-d store through two data indices: axis 0 and axis 1 checked apart.
    for i in range(idx.shape[0]):
        h[idx[i], cols[i]] += 1


EDGES = [-(2**63), -(2**62), -6, -5, -4, -1, 0, 1, 4, 5, 6, 2**62, 2**63 - 1]


@pytest.mark.parametrize("n", [0, 1, 5])
@pytest.mark.parametrize("k", EDGES)
def test_data_index_at_the_edges_wraps_or_raises_as_python(n, k):
    # The check takes an index in [0, n) with one compare and sends the rest
    # (wrapped from the end, or raising) through an unlikely branch: around
    # -n, 0 and n, and where adding n overflows int64, it must agree with CPython.
    idx = np.array([0, 1, 2, 3, k] * 3) % max(n, 1)
    idx[4] = k
    error = same_as_python(scatter_add, lambda: (np.arange(15.0), idx.copy(), np.zeros(n)))
    assert (error is None) == (-n <= k < n)


@pytest.mark.parametrize("row, col", [(-3, -4), (2, -4), (-4, 0), (3, 0), (0, 4), (0, -5), (-1, 2**63 - 1)])
def test_data_indices_on_two_axes_name_the_failing_axis(row, col):
    idx, cols = np.array([0, 1, -1, row, 2]), np.array([1, -1, 3, col, 0])
    same_as_python(scatter_rows, lambda: (idx.copy(), cols.copy(), np.zeros((3, 4), np.int64)))


def test_data_index_store_compares_once_and_branches_cold():
    # The optimized IR of a store through a data index: no select wraps the
    # index (the wraparound is behind the in-bounds compare), and every branch
    # on an unsigned compare against the extent carries branch weights (from
    # `llvm.expect`, which LLVM has consumed).
    f = jit(scatter_add.py_func)
    f(np.arange(4.0), np.array([0, -1, 2, 3]), np.zeros(4))
    (listing,) = f.inspect_llvm().values()
    # The function's own module: the checked copies, compiled apart, follow it.
    ir = listing.split("\n; `")[0]
    assert "llvm.expect" not in ir
    assert " select " not in ir
    compares = re.findall(r"(%[\w.]+) = icmp ult i64", ir)
    assert compares
    for name in compares:
        (branch,) = re.findall(rf"br i1 {re.escape(name)},.*", ir)
        assert "!prof" in branch, branch


def histogram_index(x, h):
    for i in range(x.shape[0]):
        h[int(x[i] * h.shape[0])] += 1


def test_a_float_converted_to_an_index_is_one_conversion_instruction():
    # `int(v)` is INT64_MIN for NaN and out of int64's range. On x86-64 that is
    # what `cvttsd2si` gives by itself: no mask, compare and select beside it
    # (they made a histogram loop 1.2x Numba's time, and its speed depend on
    # where its code landed).
    f = jit(histogram_index)
    x = np.array([0.0, 0.5, 0.99, 0.25, -0.25])
    h = np.zeros(4, np.int64)
    f(x, h)
    expected = np.zeros(4, np.int64)
    histogram_index(x, expected)
    np.testing.assert_array_equal(h, expected)
    if platform.machine() in ("x86_64", "AMD64"):
        (listing,) = f.inspect_llvm().values()
        ir = listing.split("\n; `")[0]
        assert "@llvm.x86.sse2.cvttsd2si64" in ir, ir
        assert "-9223372036854775808" not in ir, ir
    # NaN, infinities and values out of int64's range convert to INT64_MIN:
    # out of bounds, not a wild index.
    for bad in (math.nan, math.inf, -math.inf, 1e300, -1e300, 2.0**63):
        with pytest.raises(IndexError, match="index -9223372036854775808 is out of bounds"):
            f(np.array([bad]), h)
    np.testing.assert_array_equal(h, expected)


@jit
def from_end(a, k):
    # `a[-1]` and `a[-i]` (i >= 1) are negative for sure: the extent is added
    # without a test of the sign, the check still raises past the start.
    s = a[-1]
    for i in range(1, k):
        s += a[-i] * i
    return s


@pytest.mark.parametrize("n, k", [(1, 1), (1, 2), (1, 3), (5, 1), (5, 6), (5, 7), (5, 9)])
def test_indices_counted_from_the_end_are_pythons(n, k):
    a = np.arange(1.0, n + 1.0) ** 2
    try:
        want = (None, from_end.py_func(a, k))
    except IndexError as e:
        want = (str(e), None)
    try:
        got = (None, from_end(a, k))
    except IndexError as e:
        got = (str(e), None)
    assert got == want


@jit
def to_int(x):
    return int(x)


@jit
def to_int32(x):
    return np.int32(x)


LARGEST_BELOW_2_63 = 9223372036854774784.0  # the float before 2**63


@pytest.mark.parametrize("x, want", [
    (0.0, 0), (-0.0, 0), (-0.9, 0), (0.9, 0), (2.5, 2), (-2.5, -2), (1e18, 10**18),
    (LARGEST_BELOW_2_63, 9223372036854774784), (-LARGEST_BELOW_2_63, -9223372036854774784),
    (-(2.0**63), -(2**63)), (2.0**63, -(2**63)), (1e300, -(2**63)), (-1e300, -(2**63)),
    (math.inf, -(2**63)), (-math.inf, -(2**63)), (math.nan, -(2**63)),
])
def test_float_to_int_is_exact_in_range_and_int64_min_outside(x, want):
    assert to_int(x) == want
    with np.errstate(over="ignore"):
        f = np.float32(x)
    in_range = math.isfinite(f) and abs(float(f)) < 2.0**63
    assert to_int(f) == (int(f) if in_range else -(2**63))


def test_float_to_narrow_int_wraps_from_int64():
    assert to_int32(2.0**40 + 3.0) == 3
    assert to_int32(-1.5) == -1


@jit
def floor_div_mod_constants(x):
    return x // 1.5, x % 1.5, x // -2.25, x % -2.25


@jit
def floor_div_mod_loop(a):
    s = 0.0
    for i in range(a.shape[0]):
        x = a[i]
        s += x // 1.5 + x % 1.5 + x // -2.25 + x % -2.25
    return s


@pytest.mark.parametrize("x", [0.0, -0.0, 1.0, -1.0, 1e-300, -1e-300, 1.5, -1.5, 2.25, -2.25, 7.0, -7.0,
                               1e300, -1e300, math.inf, -math.inf, math.nan])
def test_float_floor_division_by_constants_is_pythons(x):
    got = floor_div_mod_constants(x)
    want = floor_div_mod_constants.py_func(x)
    for g, w in zip(got, want):
        assert repr(g) == repr(w), (x, got, want)  # repr tells -0.0 from 0.0


def test_float_floor_division_loop_is_pythons():
    a = np.concatenate([np.linspace(-10, 10, 1001), [0.0, -0.0, 1e-300, -1e-300]])
    assert floor_div_mod_loop(a) == floor_div_mod_loop.py_func(a)


@jit
def rotate(a, out, k):
    n = a.shape[0]
    for j in range(n):
        out[j] = a[(j + 1) % n] + a[j % n] + a[(j + k) % n]


@pytest.mark.parametrize("n, k", [(1, 0), (5, 0), (5, 1), (5, 4), (5, 5), (5, 7), (5, -3), (8, 2**62)])
def test_modulo_of_a_loop_index_is_pythons(n, k):
    # `(j + 1) % n` and `j % n` need no division (0 <= j + 1 < 2n); `(j + k) % n`
    # with an unknown k keeps the division: both must equal Python's.
    a = np.arange(float(n)) ** 2
    got, want = np.zeros(n), np.zeros(n)
    rotate(a, got, k)
    rotate.py_func(a, want, k)
    np.testing.assert_array_equal(got, want)


@jit
def mod_of_range(m, c):
    s = 0
    for j in range(m):
        s = s * 31 + (j + c) % m
    return s


@pytest.mark.parametrize("m", [1, 2, 7])
@pytest.mark.parametrize("c", [0, 1, 3])
def test_modulo_by_the_loop_bound_is_pythons(m, c):
    assert mod_of_range(m, c) == mod_of_range.py_func(m, c)


@jit
def torus(grid, out, k):
    # `(i + 1) % n` is in range for any i once the loop shows n >= 1: no check;
    # `% k` with a k larger than the axis must still raise.
    n, m = grid.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = (grid[i - 1, j] + grid[(i + 1) % n, j] + grid[i, j - 1]
                         + grid[i, (j + 1) % m] - 4.0 * grid[i, (j + k) % k])


@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (4, 1), (5, 7)])
@pytest.mark.parametrize("k", [1, 3, 8, -2])
def test_torus_modulo_indices_are_pythons(shape, k):
    grid = np.arange(float(np.prod(shape))).reshape(shape) ** 2
    results = []
    for f in (torus, torus.py_func):
        out = np.zeros(shape)
        try:
            f(grid, out, k)
            results.append((None, out))
        except IndexError as e:
            results.append(((type(e), str(e)), out))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])


@jit
def wrapped_product_index(a, stop):
    s = 0
    for v in range(-2, stop):
        s += a[v * -(2**63 - 1)]
    return s


def test_an_index_proven_nonnegative_that_wraps_is_wrapped_around():
    """At v = -2 the exact index 2**64 - 2 wraps to -2 (docs/language.md:
    index arithmetic wraps), which wraparound makes a[3]; at v = -1 it is
    2**63 - 1, out of bounds. Fuzz finding 112:5304."""
    a = np.arange(5, dtype=np.uint8) * 10
    assert wrapped_product_index(a, -1) == 30
    with pytest.raises(IndexError, match="index 9223372036854775807 is out of bounds for axis 0 "
                                         "with size 5"):
        wrapped_product_index(a, 1)


@jit
def count_below(h, ks):
    n = h.shape[0]
    for i in range(ks.shape[0]):
        k = ks[i]
        if k < n:
            h[k - 1] += 1
    return h


def test_a_bounded_read_minus_one_that_wraps_is_checked():
    """`k < n` bounds `k - 1` above, but at k = -2**63 it wraps to 2**63 - 1:
    checked, not stored out of the array."""
    h = np.zeros(4, np.int64)
    np.testing.assert_array_equal(count_below(h, np.array([1, 2, 0, -1, 9])), [1, 1, 1, 1])
    with pytest.raises(IndexError, match="index 9223372036854775807 is out of bounds"):
        count_below(h, np.array([1, -2**63]))
