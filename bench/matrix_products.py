"""`A @ B` of ferrojit against NumPy's `@` and Numba's, in one process.

Each round times every implementation once per size, in turn (interleaved,
so that a burst of load from other processes hits all of them alike); the
table shows the best and the median round, per call. ferrojit and Numba call
SciPy's OpenBLAS gemm, NumPy its own OpenBLAS; each decides its threads
(OPENBLAS_NUM_THREADS sets both). On a shared machine, read the load average
printed first: threaded BLAS timings then mostly measure the other load.

    .venv/bin/python bench/matrix_products.py [--rounds 15] [--quick]
"""

import argparse
import os
import statistics
import time

import numpy as np

import ferrojit as fj


def matmul(a, b):
    return a @ b


# (label, n for n x n operands, dtype, layout of A: C, or T for an F-ordered A)
CASES = [
    ("100x100 f64", 100, np.float64, "C"),
    ("500x500 f64", 500, np.float64, "C"),
    ("1000x1000 f64", 1000, np.float64, "C"),
    ("100x100 f32", 100, np.float32, "C"),
    ("500x500 f32", 500, np.float32, "C"),
    ("1000x1000 f32", 1000, np.float32, "C"),
    ("500x500 c128", 500, np.complex128, "C"),
    ("500x500 f64, A.T @ B", 500, np.float64, "T"),
]
QUICK = {"100x100 f64", "500x500 f64", "500x500 f32"}


def operands(n, dtype, layout):
    rng = np.random.default_rng(0)
    make = lambda: rng.standard_normal((n, n)).astype(dtype)  # noqa: E731
    a, b = make(), make()
    if np.issubdtype(dtype, np.complexfloating):
        a = a + 1j * make()
        b = b + 1j * make()
    if layout == "T":
        a = np.ascontiguousarray(a.T).T  # an F-ordered A, as `x.T` of a C array
    return a, b


def per_call(f, args, budget_s=0.05):
    """Seconds per call: as many calls as fit in about `budget_s`, at least one."""
    start = time.perf_counter()
    f(*args)
    once = time.perf_counter() - start
    reps = max(1, int(budget_s / max(once, 1e-7)))
    start = time.perf_counter()
    for _ in range(reps):
        f(*args)
    return (time.perf_counter() - start) / reps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="three cases, 5 rounds")
    options = parser.parse_args()
    rounds = 5 if options.quick else options.rounds
    cases = [c for c in CASES if not options.quick or c[0] in QUICK]

    impls = {"ferrojit": fj.jit(matmul), "NumPy": matmul}
    try:
        import numba

        impls["Numba"] = numba.njit(matmul)
    except ImportError:
        print("Numba is not installed: its column is left out")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} CPUs; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; {rounds} rounds")

    header = f"{'case':<24}" + "".join(f"{name + ' best/median ms':>30}" for name in impls)
    header += f"{'ferrojit/NumPy speed':>24}"
    print(header)
    for label, n, dtype, layout in cases:
        args = operands(n, dtype, layout)
        expected = args[0] @ args[1]
        for name, f in impls.items():
            got = f(*args)
            tol = 1e-3 if dtype in (np.float32, np.complex64) else 1e-9
            assert np.allclose(got, expected, rtol=tol, atol=tol * n), (label, name)
        times = {name: [] for name in impls}
        for _ in range(rounds):
            for name, f in impls.items():
                times[name].append(per_call(f, args))
        row = f"{label:<24}"
        for name in impls:
            t = times[name]
            row += f"{min(t) * 1e3:>17.3f} / {statistics.median(t) * 1e3:>9.3f}"
        speed_best = min(times["NumPy"]) / min(times["ferrojit"])
        speed_median = statistics.median(times["NumPy"]) / statistics.median(times["ferrojit"])
        row += f"{speed_best:>12.2f} / {speed_median:<9.2f}"
        print(row, flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
