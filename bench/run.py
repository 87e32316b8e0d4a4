"""ferrojit against Numba, same kernels, same process: prints a Markdown report.

    .venv/bin/python bench/run.py           # full run (about 35 s)
    .venv/bin/python bench/run.py --quick   # small sizes, few repetitions
    .venv/bin/python bench/run.py --parallel  # only the prange kernels

Ratios: first-call latency and dispatch overhead are ferrojit / Numba (lower is
better for ferrojit); steady-state speed is Numba time / ferrojit time (above 1
means ferrojit is faster); "checks on / off" is ferrojit's default time over its
time with `boundscheck=False, wraparound=False` (about 1 means the checks are free).
"""

import argparse
import datetime
import math
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time
import timeit

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import kernels  # noqa: E402


class Bench:
    """A kernel, how to build its arguments for a given size, and its sizes."""

    def __init__(self, name, func, make, size, quick_size, tiny_size, describe, numpy=None):
        self.name = name
        # NumPy's own way to compute it, timed too where the kernel is NumPy code.
        self.numpy = numpy
        self.func = func
        self.make = make
        self.size = size
        self.quick_size = quick_size
        self.tiny_size = tiny_size
        self.describe = describe


def _rng():
    return np.random.default_rng(20240601)


def make_sum(n):
    return (_rng().random(n),)


def make_matrices(n):
    r = _rng()
    return r.random((n, n)), r.random((n, n))


def make_saxpy(n):
    r = _rng()
    return 2.5, r.random(n), r.random(n), np.zeros(n)


def make_matmul(n):
    r = _rng()
    return r.random((n, n)), r.random((n, n)), np.zeros((n, n))


def make_convolve(n):
    r = _rng()
    return r.random((n, n)), r.random((5, 5)), np.zeros((n, n))


def make_floyd_warshall(n):
    r = _rng()
    d = r.random((n, n)) * 100.0
    d[r.random((n, n)) < 0.5] = np.inf
    np.fill_diagonal(d, 0.0)
    return (d,)


def make_mandelbrot(n):
    return -2.0, 1.0, -1.2, 1.2, n, (n * 3) // 4, 100


def make_black_scholes(n):
    r = _rng()
    return (r.uniform(10, 50, n), r.uniform(10, 50, n), r.uniform(0.1, 2.0, n), 0.02, 0.3, np.zeros(n), np.zeros(n))


def make_jacobi_1d(n):
    return _rng().random(n), 20


def make_jacobi_2d(n):
    return _rng().random((n, n)), 5


def make_running_mean(n):
    return _rng().random(n), 32, np.zeros(n)


def make_temporaries(n):
    return _rng().random(n), 2000


BENCHES = [
    Bench("sum", kernels.sum_1d, make_sum, 5_000_000, 200_000, 16, lambda n: f"{n:,} f64"),
    Bench("saxpy", kernels.saxpy, make_saxpy, 2_000_000, 100_000, 16, lambda n: f"{n:,} f64"),
    Bench("matmul (naive)", kernels.matmul, make_matmul, 200, 60, 4, lambda n: f"{n}x{n} @ {n}x{n}"),
    Bench("A @ B", kernels.matmul_operator, make_matrices, 500, 100, 4, lambda n: f"{n}x{n} f64",
          numpy=lambda a, b: a @ b),
    Bench("convolve 5x5", kernels.convolve, make_convolve, 1000, 200, 8, lambda n: f"{n}x{n} image"),
    Bench("Floyd-Warshall", kernels.floyd_warshall, make_floyd_warshall, 250, 60, 4, lambda n: f"{n} nodes"),
    Bench("mandelbrot", kernels.mandelbrot, make_mandelbrot, 400, 100, 8, lambda n: f"{n}x{(n * 3) // 4}, 100 iter"),
    Bench("Black-Scholes", kernels.black_scholes, make_black_scholes, 200_000, 20_000, 16, lambda n: f"{n:,} options"),
    Bench("Jacobi 1-d (slices)", kernels.jacobi_1d_slices, make_jacobi_1d, 1_000_000, 50_000, 8,
          lambda n: f"{n:,} f64, 20 sweeps"),
    Bench("Jacobi 2-d (row views)", kernels.jacobi_2d_rows, make_jacobi_2d, 1000, 200, 4,
          lambda n: f"{n}x{n}, 5 sweeps"),
    Bench("running mean (window views)", kernels.running_mean, make_running_mean, 1_000_000, 50_000, 40,
          lambda n: f"{n:,} f64, window 32"),
    Bench("temporaries in a loop", kernels.temporaries_in_a_loop, make_temporaries, 1000, 100, 4,
          lambda n: f"2000 x np.empty({n})"),
]


def make_axpb(n):
    return 2.5, _rng().random(n), 1.0


def make_matrix(n):
    return (_rng().random((n, 64)),)


def make_pair(n):
    r = _rng()
    return r.random(n), r.random(n)


# Whole-array code (issue 7), also timed as plain NumPy (the uncompiled function).
ARRAY_BENCHES = [
    Bench("a * x + b (fused)", kernels.fused_axpb, make_axpb, 10_000_000, 200_000, 16, lambda n: f"{n:,} f64"),
    Bench("standardize columns", kernels.standardize, make_matrix, 20_000, 2_000, 8, lambda n: f"{n:,}x64 f64"),
    Bench("softmax rows", kernels.softmax_rows, make_matrix, 20_000, 2_000, 8, lambda n: f"{n:,}x64 f64"),
    Bench("sum((x - y) * (x - y))", kernels.sum_of_squares, make_pair, 5_000_000, 200_000, 16, lambda n: f"{n:,} f64"),
]


def make_parallel_sum(n):
    return (_rng().random(n),)


def make_scale_shift(n):
    return _rng().random(n), np.empty(n)


def make_normalize_rows(n):
    r = _rng()
    return r.random((n, 256)) + 0.1, np.zeros((n, 256))


def make_pairwise(n):
    return _rng().random((n, 8)), np.zeros((n, n))


def make_histogram(n):
    return _rng().random(n), 64, 64


PARALLEL_BENCHES = [
    Bench("mandelbrot rows", kernels.mandelbrot_rows, make_mandelbrot, 800, 100, 8,
          lambda n: f"{n}x{(n * 3) // 4}, 100 iter"),
    Bench("sum reduction", kernels.parallel_sum, make_parallel_sum, 20_000_000, 200_000, 16, lambda n: f"{n:,} f64"),
    Bench("short loop (scale and shift)", kernels.scale_shift, make_scale_shift, 200_000, 20_000, 16,
          lambda n: f"{n:,} f64"),
    Bench("row normalization", kernels.normalize_rows, make_normalize_rows, 20_000, 500, 4,
          lambda n: f"{n:,}x256 f64"),
    Bench("pairwise distances", kernels.pairwise_distances, make_pairwise, 2000, 200, 4, lambda n: f"{n:,}x8 points"),
    Bench("histogram (array reduction)", kernels.histogram_reduction, make_histogram, 20_000_000, 200_000, 64,
          lambda n: f"{n:,} f64, 64 bins"),
]


def fresh_first_call(wrap, func, args_for_call, runs):
    """Median seconds of `wrap(func)` then one call, each with a new dispatcher."""
    times = []
    for _ in range(runs):
        args = args_for_call()
        start = time.perf_counter()
        dispatcher = wrap(func)
        dispatcher(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def steady_state(dispatcher, args, budget_s, min_reps=5, max_reps=500):
    """Median seconds per call after warm-up, repeating until the time budget is spent."""
    dispatcher(*args)
    dispatcher(*args)
    times = []
    spent = 0.0
    while len(times) < min_reps or (spent < budget_s and len(times) < max_reps):
        start = time.perf_counter()
        dispatcher(*args)
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        spent += elapsed
    return statistics.median(times)


def interleaved(dispatchers, args, budget_s, min_reps=5, max_reps=2000):
    """Each dispatcher's median seconds per call after two warm-up calls, the
    dispatchers' calls taking turns one by one on the same arrays until each
    has spent about `budget_s`.

    Taking turns call by call, load from other processes and the machine's
    state at each moment weigh on all of them alike (in turns of 0.1 s, the
    ratio of one kernel moved from 1.0 to 1.4 between runs). The same arrays,
    because arrays of one size run up to 2.5x faster or slower from one
    process to the next (`bit_ops`: 0.39-0.99 ms in five processes, for both
    compilers alike)."""
    for d in dispatchers:
        d(*args)
        d(*args)
    times = [[] for _ in dispatchers]
    spent = 0.0
    while len(times[0]) < min_reps or (spent < budget_s * len(dispatchers) and len(times[0]) < max_reps):
        for d, own in zip(dispatchers, times):
            start = time.perf_counter()
            d(*args)
            elapsed = time.perf_counter() - start
            own.append(elapsed)
            spent += elapsed
    return [statistics.median(own) for own in times]


def in_rounds(dispatchers, args, budget_s, rounds=4):
    """Each dispatcher's best median over `rounds` rounds that take turns, on
    the same arrays: for parallel kernels, whose runtimes keep their threads
    awake after a call (Numba's OpenMP threads spin, ferrojit's workers
    linger), so that calls taking turns one by one would each run against
    the other runtime's waiting threads."""
    best = [math.inf] * len(dispatchers)
    for _ in range(rounds):
        for k, d in enumerate(dispatchers):
            best[k] = min(best[k], steady_state(d, args, budget_s / rounds))
    return best


def results_agree(a_result, a_args, b_result, b_args):
    """Compares return values and every array argument (outputs written in place)."""
    pairs = [(a_result, b_result)] + [(x, y) for x, y in zip(a_args, b_args) if isinstance(x, np.ndarray)]
    for x, y in pairs:
        if x is None and y is None:
            continue
        x, y = np.asarray(x), np.asarray(y)
        # Sums in another order (NumPy's pairwise summation) differ in the last
        # digits; near zero that is large relatively, so allow it absolutely too.
        scale = float(np.nanmax(np.abs(y), initial=0.0)) if y.size else 0.0
        if not np.allclose(x, y, rtol=1e-9, atol=1e-12 * scale, equal_nan=True):
            return False
    return True


def import_time(module, runs):
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        times.append(float(out.stdout.strip()))
    return statistics.median(times)


def dispatch_ns(dispatcher, arg, number):
    dispatcher(arg)
    best = min(timeit.repeat("f(x)", globals={"f": dispatcher, "x": arg}, repeat=3, number=number))
    return best / number * 1e9


def ms(seconds):
    """Milliseconds, with three significant digits below 1 ms."""
    return f"{seconds * 1e3:.2f}" if seconds >= 1e-3 else f"{seconds * 1e3:.3g}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and few repetitions")
    parser.add_argument("--parallel", action="store_true", help="only the parallel (prange) kernels")
    options = parser.parse_args()

    import ferrojit
    import numba

    first_runs = 3 if options.quick else 5
    budget = 0.1 if options.quick else 1.0
    dispatch_calls = 100_000 if options.quick else 1_000_000

    unchecked_jit = ferrojit.jit(boundscheck=False, wraparound=False)
    rows = []
    speed_ratios = []
    check_ratios = []
    failures = []
    numpy_rows = []
    for bench in [] if options.parallel else BENCHES:
        size = bench.quick_size if options.quick else bench.size
        try:
            fj_first = fresh_first_call(ferrojit.jit, bench.func, lambda: bench.make(bench.tiny_size), first_runs)
            nb_first = fresh_first_call(numba.njit, bench.func, lambda: bench.make(bench.tiny_size), first_runs)
            fj, nb, fj_off = ferrojit.jit(bench.func), numba.njit(bench.func), unchecked_jit(bench.func)
            fj_args, nb_args, off_args = bench.make(size), bench.make(size), bench.make(size)
            fj_result = fj(*fj_args)
            if not results_agree(fj_result, fj_args, nb(*nb_args), nb_args):
                failures.append(f"{bench.name}: ferrojit and Numba results differ")
            if not results_agree(fj_result, fj_args, fj_off(*off_args), off_args):
                failures.append(f"{bench.name}: ferrojit with checks on and off results differ")
            fj_steady, nb_steady, off_steady = interleaved([fj, nb, fj_off], bench.make(size), budget)
        except Exception as exc:  # one failing kernel must not hide the others' numbers
            failures.append(f"{bench.name}: {type(exc).__name__}: {exc}")
            rows.append(f"| {bench.name} | {bench.describe(size)} | failed | | | | | | | |")
            continue
        if bench.numpy is not None:
            np_steady = steady_state(bench.numpy, bench.make(size), budget)
            numpy_rows.append(f"| {bench.name} | {bench.describe(size)} | {ms(fj_steady)} | {ms(np_steady)} "
                              f"| {np_steady / fj_steady:.2f} |")
        speed = nb_steady / fj_steady
        speed_ratios.append(speed)
        checks = fj_steady / off_steady
        check_ratios.append(checks)
        rows.append(
            f"| {bench.name} | {bench.describe(size)} | {ms(fj_first)} | {ms(nb_first)} | {fj_first / nb_first:.3f} "
            f"| {ms(fj_steady)} | {ms(nb_steady)} | {speed:.2f} | {ms(off_steady)} | {checks:.2f} |"
        )

    array_rows = []
    array_ratios = []
    for bench in [] if options.parallel else ARRAY_BENCHES:
        size = bench.quick_size if options.quick else bench.size
        try:
            fj_first = fresh_first_call(ferrojit.jit, bench.func, lambda: bench.make(bench.tiny_size), first_runs)
            nb_first = fresh_first_call(numba.njit, bench.func, lambda: bench.make(bench.tiny_size), first_runs)
            fj, nb = ferrojit.jit(bench.func), numba.njit(bench.func)
            args = bench.make(size)
            if not results_agree(fj(*args), args, bench.func(*args), args):
                failures.append(f"{bench.name}: ferrojit and NumPy results differ")
            fj_steady = steady_state(fj, args, budget)
            nb_steady = steady_state(nb, args, budget)
            np_steady = steady_state(bench.func, args, budget)
        except Exception as exc:  # one failing kernel must not hide the others' numbers
            failures.append(f"{bench.name}: {type(exc).__name__}: {exc}")
            array_rows.append(f"| {bench.name} | {bench.describe(size)} | failed | | | | | | |")
            continue
        array_ratios.append(nb_steady / fj_steady)
        array_rows.append(
            f"| {bench.name} | {bench.describe(size)} | {fj_first / nb_first:.3f} | {ms(fj_steady)} "
            f"| {ms(nb_steady)} | {ms(np_steady)} | {nb_steady / fj_steady:.2f} | {np_steady / fj_steady:.2f} |"
        )

    # Parallel kernels: Numba with parallel=True; the speed-up is over the same
    # kernel limited to one thread (set_num_threads), for 1..N threads.
    threads = ferrojit.get_num_threads()
    parallel_rows = []
    curve_rows = []
    parallel_ratios = []
    for bench in PARALLEL_BENCHES:
        size = bench.quick_size if options.quick else bench.size
        try:
            nb_parallel = numba.njit(parallel=True)
            fj_first = fresh_first_call(ferrojit.jit, bench.func, lambda: bench.make(bench.tiny_size), first_runs)
            nb_first = fresh_first_call(nb_parallel, bench.func, lambda: bench.make(bench.tiny_size), first_runs)
            fj, nb = ferrojit.jit(bench.func), numba.njit(parallel=True)(bench.func)
            fj_args, nb_args = bench.make(size), bench.make(size)
            if not results_agree(fj(*fj_args), fj_args, nb(*nb_args), nb_args):
                failures.append(f"{bench.name}: ferrojit and Numba results differ")
            fj_steady, nb_steady = in_rounds([fj, nb], bench.make(size), budget)
            curve = []
            for n in range(1, threads + 1):
                ferrojit.set_num_threads(n)
                curve.append(steady_state(fj, bench.make(size), budget))
            ferrojit.set_num_threads(threads)
        except Exception as exc:  # one failing kernel must not hide the others' numbers
            failures.append(f"{bench.name}: {type(exc).__name__}: {exc}")
            parallel_rows.append(f"| {bench.name} | {bench.describe(size)} | failed | | | | | | | |")
            continue
        speed = nb_steady / fj_steady
        parallel_ratios.append(speed)
        parallel_rows.append(
            f"| {bench.name} | {bench.describe(size)} | {ms(fj_first)} | {ms(nb_first)} | {fj_first / nb_first:.3f} "
            f"| {ms(fj_steady)} | {ms(nb_steady)} | {speed:.2f} | {ms(curve[0])} | {curve[0] / curve[-1]:.2f} |"
        )
        points = ", ".join(f"{n}: {curve[0] / t:.2f}x" for n, t in enumerate(curve, start=1))
        curve_rows.append(f"- {bench.name}: {points}")

    def geomean(ratios):
        return math.exp(sum(math.log(r) for r in ratios) / len(ratios)) if ratios else float("nan")

    def print_parallel():
        print(f"### Parallel kernels (`prange`), {threads} threads; Numba with `parallel=True`")
        print()
        print("| kernel | size | first call ferrojit (ms) | first call Numba (ms) | ferrojit / Numba "
              "| steady ferrojit (ms) | steady Numba (ms) | speed vs Numba | ferrojit on 1 thread (ms) "
              f"| speed-up 1 -> {threads} threads |")
        print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
        for row in parallel_rows:
            print(row)
        print()
        print(f"Geometric mean of parallel steady-state speed vs Numba: **{geomean(parallel_ratios):.2f}**.")
        print()
        print("ferrojit's speed-up over one thread (`set_num_threads(n)`), n = 1..N:")
        print()
        for row in curve_rows:
            print(row)
        print()

    if options.parallel:
        print_parallel()
        for failure in failures:
            print(f"- FAILED {failure}")
        sys.exit(1 if failures else 0)

    scalar = 1
    array = np.zeros(10)
    dispatch_rows = []
    for label, func, arg in (("f(1) -> x + 1", kernels.add_one, scalar), ("f(a) -> a.shape[0]", kernels.first_dim, array)):
        fj_ns = dispatch_ns(ferrojit.jit(func), arg, dispatch_calls)
        nb_ns = dispatch_ns(numba.njit(func), arg, dispatch_calls)
        py_ns = dispatch_ns(func, arg, dispatch_calls)
        dispatch_rows.append(f"| {label} | {fj_ns:.0f} | {nb_ns:.0f} | {fj_ns / nb_ns:.2f} | {py_ns:.0f} |")

    fj_import = import_time("ferrojit", first_runs)
    nb_import = import_time("numba", first_runs)

    print(f"## ferrojit vs Numba {numba.__version__}")
    print()
    print(f"Run {datetime.date.today().isoformat()} on {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, NumPy {np.__version__}"
          f"{' (--quick)' if options.quick else ''}.")
    print()
    print("| kernel | size | first call ferrojit (ms) | first call Numba (ms) | ferrojit / Numba "
          "| steady ferrojit (ms) | steady Numba (ms) | speed vs Numba | steady ferrojit, checks off (ms) "
          "| checks on / off |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for row in rows:
        print(row)
    print()
    print(f"Geometric mean of steady-state speed vs Numba: **{geomean(speed_ratios):.2f}** (above 1: ferrojit faster).")
    print()
    print(f"Geometric mean of checks on / off: **{geomean(check_ratios):.2f}** (about 1: bounds checks and "
          "negative-index wraparound cost nothing).")
    print()
    print("Array expressions and reductions (issue 7), against Numba and the same function run by NumPy:")
    print()
    print("| kernel | size | first call ferrojit / Numba | steady ferrojit (ms) | steady Numba (ms) "
          "| NumPy (ms) | speed vs Numba | speed vs NumPy |")
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    for row in array_rows:
        print(row)
    print()
    print(f"Geometric mean of steady-state speed vs Numba over these: **{geomean(array_ratios):.2f}**.")
    print()
    print_parallel()
    print("| against NumPy | size | steady ferrojit (ms) | steady NumPy (ms) | speed vs NumPy |")
    print("|---|---|--:|--:|--:|")
    for row in numpy_rows:
        print(row)
    print()
    print("| dispatch | ferrojit (ns/call) | Numba (ns/call) | ferrojit / Numba | plain Python (ns/call) |")
    print("|---|--:|--:|--:|--:|")
    for row in dispatch_rows:
        print(row)
    print()
    print("| import | ferrojit (ms) | Numba (ms) | ferrojit / Numba |")
    print("|---|--:|--:|--:|")
    print(f"| `import <module>` | {ms(fj_import)} | {ms(nb_import)} | {fj_import / nb_import:.3f} |")
    print()
    print("First call: median of fresh dispatchers (`jit(py_func)` then one call on a tiny input). "
          "Steady state: median per call after two warm-up calls, the contenders' calls taking turns one "
          "by one on the same arrays (`prange` kernels: best of four rounds that take turns); checks off is "
          "`jit(boundscheck=False, wraparound=False)`. Dispatch: best of 3 `timeit` runs of "
          f"{dispatch_calls:,} calls. Import: median of {first_runs} subprocesses.")
    if failures:
        print()
        for failure in failures:
            print(f"- FAILED {failure}")
        sys.exit(1)


if __name__ == "__main__":
    main()
