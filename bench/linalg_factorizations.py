"""np.linalg's factorizations, ferrojit against NumPy in one process, best of 15.

Both call OpenBLAS's LAPACK (ferrojit SciPy's copy, NumPy its own); run with
OPENBLAS_NUM_THREADS=1 on a shared machine, where threaded BLAS timings mostly
measure the other load:  OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/linalg_factorizations.py
"""

import time

import numpy as np

import ferrojit as fj


@fj.jit
def solve(a, b):
    return np.linalg.solve(a, b)


@fj.jit
def inv(a):
    return np.linalg.inv(a)


@fj.jit
def eigh(a):
    return np.linalg.eigh(a)


@fj.jit
def lstsq(a, b):
    return np.linalg.lstsq(a, b)


def best(f, *args, runs=15):
    f(*args)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    print(f"{'kernel':<12}{'ferrojit us':>12}{'NumPy us':>12}{'ratio':>8}")
    for n in (50, 200):
        rng = np.random.default_rng(1)
        a = rng.random((n, n)) + n * np.eye(n)
        b = rng.random(n)
        for name, f, args in [
            ("solve", solve, (a, b)),
            ("inv", inv, (a,)),
            ("eigh", eigh, (a + a.T,)),
            ("lstsq", lstsq, (a, b)),
        ]:
            ours, numpys = best(f, *args), best(f.py_func, *args)
            print(f"{name + f' {n}':<12}{ours * 1e6:>12.0f}{numpys * 1e6:>12.0f}{ours / numpys:>8.2f}")


if __name__ == "__main__":
    main()
