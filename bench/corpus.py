"""The performance corpus (issue 9): everyday loop kernels, each timed with
ferrojit's checks on, with checks off, and with Numba, in one process.

    .venv/bin/python bench/corpus.py            # full sizes (a few minutes)
    .venv/bin/python bench/corpus.py --quick    # small sizes, short budgets
    .venv/bin/python bench/corpus.py --only life_u8,torus   # some kernels

Times are medians of calls that take turns one by one, the three variants on the
same arrays (so load from other processes and the placement of the arrays in
memory weigh on them alike). Ratios are times over Numba's time (below 1: ferrojit is faster) and ferrojit's
checked time over its unchecked time (about 1: the checks are free; "off" is
`boundscheck=False, wraparound=False`, wraparound kept for kernels that read
negative indices on purpose). Each
kernel is plain Python that both compilers accept; tests/python/test_corpus_bench.py
runs every one at its tiny size against CPython, so a wrong answer fails the tests.
"""

import argparse
import math
import pathlib
import statistics
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))


# --- stencils --------------------------------------------------------------


def life_step(grid, out):
    """Conway's rule: eight neighbour loads, a sum, compares, a conditional store."""
    n, m = grid.shape
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            s = (grid[i - 1, j - 1] + grid[i - 1, j] + grid[i - 1, j + 1] + grid[i, j - 1]
                 + grid[i, j + 1] + grid[i + 1, j - 1] + grid[i + 1, j] + grid[i + 1, j + 1])
            if s == 3 or (s == 2 and grid[i, j] == 1):
                out[i, j] = 1
            else:
                out[i, j] = 0


def torus(grid, out):
    """Neighbours that wrap: `i - 1` is negative at the edge, `(i + 1) % n` wraps the other way."""
    n, m = grid.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = (grid[i - 1, j] + grid[(i + 1) % n, j] + grid[i, j - 1]
                         + grid[i, (j + 1) % m] - 4.0 * grid[i, j])


def jacobi_swap(u, v, steps):
    """A 2-d Jacobi sweep whose arrays are swapped after each sweep."""
    n, m = u.shape
    for _ in range(steps):
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                v[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])
        u, v = v, u
    return u[n // 2, m // 2]


def stencil_f32(a, out):
    """A 5-point stencil on float32."""
    n, m = a.shape
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            out[i, j] = a[i, j] * np.float32(0.5) + (a[i - 1, j] + a[i + 1, j] + a[i, j - 1]
                                                      + a[i, j + 1]) * np.float32(0.125)


def stencil_i16(a, out):
    """A 3-point stencil on int16 summed in int64."""
    for i in range(1, a.shape[0] - 1):
        out[i] = np.int64(a[i - 1]) + 2 * np.int64(a[i]) + np.int64(a[i + 1])


def gauss_seidel(a, steps):
    """In-place sweeps: each point reads neighbours already updated."""
    n, m = a.shape
    for _ in range(steps):
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                a[i, j] = 0.2 * (a[i, j] + a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])


def blur_1d(a, out):
    """A 1-d 5-tap filter."""
    for i in range(2, a.shape[0] - 2):
        out[i] = (a[i - 2] + 4.0 * a[i - 1] + 6.0 * a[i] + 4.0 * a[i + 1] + a[i + 2]) / 16.0


# --- modulo, wraparound and offsets -----------------------------------------


def mod_sum(n, m):
    """A double loop summing `(j + 1) % m`."""
    s = 0
    for i in range(n):
        for j in range(i, i + 1000):
            s += (j + 1) % m
    return s


def shift_back(a, out, k):
    """`a[i - k]`, negative (wrapping to the end) for the first k elements."""
    for i in range(a.shape[0]):
        out[i] = a[i - k]


def ring_buffer(a, out, w):
    """A moving sum over a ring of w slots indexed by `i % w`."""
    ring = np.zeros(w)
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] - ring[i % w]
        ring[i % w] = a[i]
        out[i] = s


def reverse_copy(a, out):
    n = a.shape[0]
    for i in range(n):
        out[i] = a[n - 1 - i]


def negative_index_sum(a):
    """`a[-i - 1]`: the array read from its end by negative indices."""
    s = 0.0
    for i in range(a.shape[0]):
        s += a[-i - 1] * (i % 3)
    return s


# --- float division, modulo, powers ------------------------------------------


def float_floordiv_mod(a):
    s = 0.0
    for i in range(a.shape[0]):
        x = a[i]
        s += x // 1.5 + x % 1.5 + x // -2.25 + x % -2.25
    return s


def float_powers(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += abs(a[i]) ** 0.5 + 1.0001 ** (i % 13) + (i % 7) / (i % 5 + 1)
    return s


def int_powers(n):
    s = 0
    for i in range(n):
        s += (i % 11) ** 3 - (i % 5) ** 2
    return s


def int_floordiv_mod(a):
    """Python's floor division and modulo of signed ints by a constant."""
    s = 0
    for i in range(a.shape[0]):
        s += a[i] // 7 + a[i] % 7
    return s


def int_div_by_array(a, b):
    """Division by values loaded from an array (non-zero): the zero check stays."""
    s = 0
    for i in range(a.shape[0]):
        s += a[i] // b[i]
    return s


def horner(x, coeffs, out):
    """A polynomial of degree 8 at each point."""
    for i in range(x.shape[0]):
        acc = 0.0
        for k in range(coeffs.shape[0]):
            acc = acc * x[i] + coeffs[k]
        out[i] = acc


# --- dtypes and promotion ------------------------------------------------------


def sum_u8(a):
    s = 0
    for i in range(a.shape[0]):
        s += int(a[i])
    return s


def mixed_promotion(a, b, out):
    """int32 times float32 plus an int: float64 by NumPy 2's rules."""
    for i in range(a.shape[0]):
        out[i] = a[i] * b[i] + 3


def float32_accumulate(a):
    s = np.float32(0.0)
    for i in range(a.shape[0]):
        s += a[i] * a[i]
    return s


def bit_ops(a):
    """Shifts, masks and xor on uint64 values."""
    s = np.uint64(0)
    for i in range(a.shape[0]):
        x = a[i]
        x ^= x >> np.uint64(13)
        x ^= x << np.uint64(7)
        s ^= x & np.uint64(0xFFFF)
    return s


# --- reductions with and without early exit ----------------------------------------


def first_above(a, t):
    for i in range(a.shape[0]):
        if a[i] > t:
            return i
    return -1


def any_negative(a):
    for i in range(a.shape[0]):
        if a[i] < 0.0:
            return True
    return False


def argmax_loop(a):
    best = 0
    for i in range(1, a.shape[0]):
        if a[i] > a[best]:
            best = i
    return best


def count_in_range(a, lo, hi):
    """A branchy `and` in the loop: if-conversion makes it a select."""
    c = 0
    for i in range(a.shape[0]):
        if a[i] > lo and a[i] < hi:
            c += 1
    return c


def min_max(a):
    lo = a[0]
    hi = a[0]
    for i in range(a.shape[0]):
        lo = min(lo, a[i])
        hi = max(hi, a[i])
    return hi - lo


def sum_fastmath(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


# --- conditional stores and memory patterns -----------------------------------------


def relu(a, out):
    for i in range(a.shape[0]):
        if a[i] > 0.0:
            out[i] = a[i]
        else:
            out[i] = 0.0


def prefix_sum(a):
    for i in range(1, a.shape[0]):
        a[i] += a[i - 1]


def transpose_copy(a, out):
    n, m = a.shape
    for i in range(n):
        for j in range(m):
            out[j, i] = a[i, j]


def column_sums(a, out):
    n, m = a.shape
    for j in range(m):
        s = 0.0
        for i in range(n):
            s += a[i, j]
        out[j] = s


def matvec(a, x, y):
    n, m = a.shape
    for i in range(n):
        s = 0.0
        for j in range(m):
            s += a[i, j] * x[j]
        y[i] = s


def gather(a, idx, out):
    for i in range(idx.shape[0]):
        out[i] = a[idx[i]]


def scatter_add(a, idx, out):
    for i in range(idx.shape[0]):
        out[idx[i]] += a[i]


def histogram_loop(x, bins):
    h = np.zeros(bins, np.int64)
    for i in range(x.shape[0]):
        h[int(x[i] * bins)] += 1
    return h


def triad(a, b, c, s):
    for i in range(a.shape[0]):
        a[i] = b[i] + s * c[i]


# --- allocation --------------------------------------------------------------


def alloc_in_loop(a, w):
    """A small temporary per iteration."""
    s = 0.0
    for i in range(a.shape[0] - w):
        t = np.empty(w)
        for k in range(w):
            t[k] = a[i + k] * 2.0
        s += t[w - 1] - t[0]
    return s


def alloc_once(a, w):
    """The same with one buffer made before the loop."""
    t = np.empty(w)
    s = 0.0
    for i in range(a.shape[0] - w):
        for k in range(w):
            t[k] = a[i + k] * 2.0
        s += t[w - 1] - t[0]
    return s


def zeros_result(n):
    return np.zeros(n)


# --- complex arithmetic ------------------------------------------------------


def complex_dot(z, w):
    s = 0j
    for i in range(z.shape[0]):
        s += z[i] * w[i]
    return s


def complex_abs_sum(z):
    s = 0.0
    for i in range(z.shape[0]):
        s += abs(z[i])
    return s


def complex_escape(c, max_iter):
    """Escape-time iteration of `z * z + c` on complex numbers."""
    total = 0
    for i in range(c.shape[0]):
        z = 0j
        k = 0
        while k < max_iter and z.real * z.real + z.imag * z.imag <= 4.0:
            z = z * z + c[i]
            k += 1
        total += k
    return total


# --- other loops -------------------------------------------------------------


def collatz_steps(n):
    total = 0
    for start in range(1, n):
        x = start
        while x != 1:
            if x % 2 == 0:
                x //= 2
            else:
                x = 3 * x + 1
            total += 1
    return total


def nbody_forces(pos, out):
    n = pos.shape[0]
    for i in range(n):
        fx = 0.0
        fy = 0.0
        for j in range(n):
            if i != j:
                dx = pos[j, 0] - pos[i, 0]
                dy = pos[j, 1] - pos[i, 1]
                r2 = dx * dx + dy * dy + 1e-3
                inv = 1.0 / (r2 * math.sqrt(r2))
                fx += dx * inv
                fy += dy * inv
        out[i, 0] = fx
        out[i, 1] = fy


# --- the corpus: kernel, arguments for a size, full / quick / tiny sizes -------------


def _rng():
    return np.random.default_rng(909)


def _grid(n, dtype):
    return (_rng().random((n, n)) < 0.3).astype(dtype)


def _floats(n):
    return _rng().standard_normal(n)


def _square(n):
    return _rng().standard_normal((n, n))


class Kernel:
    """`wraps`: the kernel reads negative indices, so "checks off" keeps
    wraparound on (without it the kernel would read out of bounds)."""

    def __init__(self, name, func, make, sizes, fastmath=False, wraps=False):
        self.name = name
        self.func = func
        self.make = make
        self.size, self.quick_size, self.tiny_size = sizes
        self.fastmath = fastmath
        self.wraps = wraps

    def unchecked(self):
        """The options of the "checks off" variant."""
        return {"boundscheck": False, "wraparound": self.wraps}


CORPUS = [
    Kernel("life_u8", life_step, lambda n: (_grid(n, np.uint8), np.zeros((n, n), np.uint8)), (1000, 200, 8)),
    Kernel("life_i64", life_step, lambda n: (_grid(n, np.int64), np.zeros((n, n), np.int64)), (1000, 200, 8)),
    Kernel("torus", torus, lambda n: (_square(n), np.empty((n, n))), (1000, 200, 6), wraps=True),
    Kernel("jacobi_swap", jacobi_swap, lambda n: (_square(n), np.zeros((n, n)), 10), (400, 100, 6)),
    Kernel("stencil_f32", stencil_f32, lambda n: (_square(n).astype(np.float32), np.zeros((n, n), np.float32)),
           (1000, 200, 6)),
    Kernel("stencil_i16", stencil_i16,
           lambda n: (_rng().integers(-30000, 30000, n).astype(np.int16), np.zeros(n, np.int64)),
           (2_000_000, 100_000, 10)),
    Kernel("gauss_seidel", gauss_seidel, lambda n: (_square(n), 5), (300, 80, 6)),
    Kernel("blur_1d", blur_1d, lambda n: (_floats(n), np.zeros(n)), (2_000_000, 100_000, 12)),
    Kernel("mod_sum", mod_sum, lambda n: (n, 7), (3000, 300, 3)),
    Kernel("shift_back", shift_back, lambda n: (_floats(n), np.empty(n), 3), (2_000_000, 100_000, 10), wraps=True),
    Kernel("ring_buffer", ring_buffer, lambda n: (_floats(n), np.empty(n), 16), (2_000_000, 100_000, 40)),
    Kernel("reverse_copy", reverse_copy, lambda n: (_floats(n), np.empty(n)), (2_000_000, 100_000, 10)),
    Kernel("negative_index_sum", negative_index_sum, lambda n: (_floats(n),), (2_000_000, 100_000, 10),
           wraps=True),
    Kernel("float_floordiv_mod", float_floordiv_mod, lambda n: (_floats(n) * 10,), (1_000_000, 50_000, 10)),
    Kernel("float_powers", float_powers, lambda n: (_floats(n),), (1_000_000, 50_000, 10)),
    Kernel("int_powers", int_powers, lambda n: (n,), (2_000_000, 100_000, 10)),
    Kernel("int_floordiv_mod", int_floordiv_mod,
           lambda n: (_rng().integers(-1000, 1000, n),), (2_000_000, 100_000, 10)),
    Kernel("int_div_by_array", int_div_by_array,
           lambda n: (_rng().integers(-1000, 1000, n), _rng().integers(1, 50, n)), (2_000_000, 100_000, 10)),
    Kernel("horner", horner, lambda n: (_floats(n), _floats(9), np.empty(n)), (1_000_000, 50_000, 10)),
    Kernel("sum_u8", sum_u8, lambda n: (_rng().integers(0, 256, n).astype(np.uint8),), (4_000_000, 100_000, 10)),
    Kernel("mixed_promotion", mixed_promotion,
           lambda n: (_rng().integers(-100, 100, n).astype(np.int32), _floats(n).astype(np.float32), np.empty(n)),
           (2_000_000, 100_000, 10)),
    Kernel("float32_accumulate", float32_accumulate, lambda n: (_floats(n).astype(np.float32),),
           (2_000_000, 100_000, 10)),
    Kernel("bit_ops", bit_ops, lambda n: (_rng().integers(0, 2**62, n).astype(np.uint64),), (2_000_000, 100_000, 10)),
    Kernel("first_above", first_above, lambda n: (np.arange(n, dtype=np.float64), n - 2.5), (2_000_000, 100_000, 10)),
    Kernel("any_negative", any_negative, lambda n: (np.abs(_floats(n)),), (2_000_000, 100_000, 10)),
    Kernel("argmax_loop", argmax_loop, lambda n: (_floats(n),), (2_000_000, 100_000, 10)),
    Kernel("count_in_range", count_in_range, lambda n: (_floats(n), -0.5, 0.5), (2_000_000, 100_000, 10)),
    Kernel("min_max", min_max, lambda n: (_floats(n),), (2_000_000, 100_000, 10)),
    Kernel("sum_fastmath", sum_fastmath, lambda n: (_floats(n),), (4_000_000, 100_000, 10), fastmath=True),
    Kernel("relu", relu, lambda n: (_floats(n), np.empty(n)), (2_000_000, 100_000, 10)),
    Kernel("prefix_sum", prefix_sum, lambda n: (_floats(n),), (2_000_000, 100_000, 10)),
    Kernel("transpose_copy", transpose_copy, lambda n: (_square(n), np.empty((n, n))), (1000, 200, 5)),
    Kernel("column_sums", column_sums, lambda n: (_square(n), np.empty(n)), (1000, 200, 5)),
    Kernel("matvec", matvec, lambda n: (_square(n), _floats(n), np.empty(n)), (1500, 200, 5)),
    Kernel("gather", gather, lambda n: (_floats(n), _rng().integers(0, n, n), np.empty(n)), (2_000_000, 100_000, 10)),
    Kernel("scatter_add", scatter_add, lambda n: (_floats(n), _rng().integers(0, n, n), np.zeros(n)),
           (2_000_000, 100_000, 10)),
    Kernel("histogram_loop", histogram_loop, lambda n: (_rng().random(n), 64), (2_000_000, 100_000, 10)),
    Kernel("triad", triad, lambda n: (np.empty(n), _floats(n), _floats(n), 3.0), (4_000_000, 100_000, 10)),
    Kernel("alloc_in_loop", alloc_in_loop, lambda n: (_floats(n), 8), (200_000, 20_000, 12)),
    Kernel("alloc_once", alloc_once, lambda n: (_floats(n), 8), (200_000, 20_000, 12)),
    Kernel("zeros_result", zeros_result, lambda n: (n,), (131_072, 10_000, 4)),
    Kernel("complex_dot", complex_dot, lambda n: (_floats(n) + 1j * _floats(n), _floats(n) - 2j * _floats(n)),
           (1_000_000, 50_000, 10)),
    Kernel("complex_abs_sum", complex_abs_sum, lambda n: (_floats(n) + 1j * _floats(n),), (1_000_000, 50_000, 10)),
    Kernel("complex_escape", complex_escape, lambda n: ((_rng().random(n) * 3 - 2) + 1j * (_rng().random(n) * 2 - 1), 100),
           (20_000, 2_000, 10)),
    Kernel("collatz_steps", collatz_steps, lambda n: (n,), (100_000, 5_000, 20)),
    Kernel("nbody_forces", nbody_forces, lambda n: (_rng().random((n, 2)), np.empty((n, 2))), (1000, 200, 5)),
]


def geomean(values):
    return math.exp(statistics.fmean(math.log(v) for v in values)) if values else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and short budgets")
    parser.add_argument("--only", help="comma-separated kernel names")
    options = parser.parse_args()

    import ferrojit
    import numba

    # run.py's kernels import numba: only the benchmark itself needs it, not
    # the tests that import CORPUS.
    from run import fresh_first_call, interleaved, results_agree

    budget = 0.05 if options.quick else 0.4
    first_runs = 1 if options.quick else 3
    chosen = CORPUS
    if options.only:
        names = set(options.only.split(","))
        chosen = [k for k in CORPUS if k.name in names]
    print("| kernel | checks on (ms) | checks off (ms) | Numba (ms) | on / Numba | on / off | first call / Numba's |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    on_ratios, check_ratios, first_ratios, failures = [], [], [], []
    for k in chosen:
        size = k.quick_size if options.quick else k.size
        flags = {"fastmath": True} if k.fastmath else {}
        try:
            fj_first = fresh_first_call(lambda f: ferrojit.jit(f, **flags), k.func,
                                        lambda: k.make(k.tiny_size), first_runs)
            nb_first = fresh_first_call(lambda f: numba.njit(f, **flags), k.func,
                                        lambda: k.make(k.tiny_size), first_runs)
            on = ferrojit.jit(k.func, **flags)
            off = ferrojit.jit(k.func, **k.unchecked(), **flags)
            nb = numba.njit(k.func, **flags)
            on_args, nb_args = k.make(size), k.make(size)
            if not results_agree(on(*on_args), on_args, nb(*nb_args), nb_args):
                failures.append(f"{k.name}: ferrojit and Numba results differ")
            t_on, t_off, t_nb = interleaved([on, off, nb], k.make(size), budget)
        except Exception as exc:  # one failing kernel must not hide the others' numbers
            failures.append(f"{k.name}: {type(exc).__name__}: {exc}")
            print(f"| {k.name} | failed | | | | | |")
            continue
        on_ratios.append(t_on / t_nb)
        check_ratios.append(t_on / t_off)
        first_ratios.append(fj_first / nb_first)
        print(f"| {k.name} | {t_on * 1e3:.3f} | {t_off * 1e3:.3f} | {t_nb * 1e3:.3f} | {t_on / t_nb:.2f} "
              f"| {t_on / t_off:.2f} | {fj_first / nb_first:.3f} |", flush=True)
    print()
    print(f"Geometric means over {len(on_ratios)} kernels: checks on / Numba **{geomean(on_ratios):.2f}**, "
          f"checks on / off **{geomean(check_ratios):.2f}**, first call / Numba's (median) "
          f"**{statistics.median(first_ratios) if first_ratios else float('nan'):.3f}**; "
          f"worst on / Numba {max(on_ratios, default=float('nan')):.2f}.")
    if failures:
        print()
        for failure in failures:
            print(f"- FAILED {failure}")
        sys.exit(1)


if __name__ == "__main__":
    main()
