"""Memory benchmarks (issue 9's allocation and bandwidth targets, issue 7's fused expression).

Three sections, each timed side by side in one process, contenders interleaved round by
round and the best round kept (the machine is shared; the best round is the one least
disturbed):

1. Arrays returned from a kernel: `np.zeros(n)`, `np.empty(n)`, `np.ones(n)` made and
   returned by a compiled function, called repeatedly, against NumPy's own call, for
   8 B to 80 MB. Target: `np.zeros` of 1 MiB at most 1.5x NumPy's call.
2. Streaming kernels against a C `-O3 -march=native` loop, compiled here with the system
   `cc` into a temporary shared library and called through ctypes on the same NumPy
   buffers: triad `a[i] = b[i] + s * c[i]`, saxpy `y[i] += a * x[i]`, sum (ferrojit with
   `fastmath=True`, bounds checks on). GB/s counts the bytes the loop reads and writes.
   Target: ferrojit at least 90% of C.
3. Where the time of the fused `a * x + b` over 10,000,000 float64 (kernels.fused_axpb)
   goes: the same loop into a preallocated `out`, the minor page faults per call, whether
   transparent huge pages are granted, and the least time the bytes moved allow at the
   copy bandwidth C reaches. Target (issue 7): at least 2x NumPy's own expression.

`--quick` uses small sizes and few rounds (a smoke run, not numbers to publish).
"""

import argparse
import ctypes
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import kernels  # noqa: E402

from ferrojit import jit  # noqa: E402

try:
    import numba
except ImportError:  # `make bench` installs it; the columns stay empty without it.
    numba = None

MB = 1 << 20


def best_of(contenders, rounds, reps):
    """Best seconds per call of each `(name, thunk)`, interleaved round by round."""
    for _, thunk in contenders:
        thunk()
        thunk()
    best = {name: float("inf") for name, _ in contenders}
    for _ in range(rounds):
        for name, thunk in contenders:
            start = time.perf_counter()
            for _ in range(reps):
                thunk()
            best[name] = min(best[name], (time.perf_counter() - start) / reps)
    return best


def us(seconds):
    return f"{seconds * 1e6:.2f}"


def size_label(nbytes):
    if nbytes >= MB:
        return f"{nbytes / MB:g} MiB" if nbytes % MB == 0 else f"{nbytes / 1e6:g} MB"
    return f"{nbytes / 1024:g} KiB" if nbytes >= 1024 else f"{nbytes} B"


# --- 1. arrays returned from a kernel ---------------------------------------------------


def make_zeros(n):
    return np.zeros(n)


def make_empty(n):
    return np.empty(n)


def make_ones(n):
    return np.ones(n)


def allocation_section(quick):
    sizes = [8, 1024, 64 * 1024, MB, 4 * MB, 16 * MB, 80_000_000]
    if quick:
        sizes = [8, MB]
    makers = [("zeros", make_zeros, np.zeros), ("empty", make_empty, np.empty), ("ones", make_ones, np.ones)]
    print("## Arrays returned from a kernel\n")
    print("Time per call in us (best round), a float64 array of the size made and returned by a")
    print("compiled function, called repeatedly, against NumPy's own call; ratio ferrojit / NumPy.\n")
    print("| size | " + " | ".join(f"np.{m} NumPy | ferrojit | ratio" for m, _, _ in makers) + " |")
    print("|---|" + "--:|--:|--:|" * len(makers))
    ratios = {}
    for nbytes in sizes:
        n = nbytes // 8
        reps = max(3, min(20_000, int(2e7 // max(nbytes, 2000))))
        if quick:
            reps = max(3, reps // 20)
        cells = []
        for name, py_func, np_func in makers:
            f = jit(py_func)
            best = best_of([("numpy", lambda: np_func(n)), ("ferrojit", lambda: f(n))], 3 if quick else 7, reps)
            ratio = best["ferrojit"] / best["numpy"]
            ratios[(name, nbytes)] = ratio
            cells.append(f"{us(best['numpy'])} | {us(best['ferrojit'])} | {ratio:.2f}")
        print(f"| {size_label(nbytes)} | " + " | ".join(cells) + " |", flush=True)
    ratio = ratios[("zeros", MB)]
    verdict = "met" if ratio <= 1.5 else "NOT met"
    print(f"\nTarget np.zeros of 1 MiB at most 1.5x NumPy's call: {ratio:.2f}x, {verdict}.\n")
    return ratio <= 1.5


# --- 2. streaming kernels against C -O3 -------------------------------------------------


C_SOURCE = r"""
#include <stddef.h>
void triad(double *restrict a, const double *restrict b, const double *restrict c, double s, ptrdiff_t n) {
    for (ptrdiff_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
}
void saxpy(double a, const double *restrict x, double *restrict y, ptrdiff_t n) {
    for (ptrdiff_t i = 0; i < n; i++) y[i] += a * x[i];
}
void copy(double *restrict a, const double *restrict b, ptrdiff_t n) {
    for (ptrdiff_t i = 0; i < n; i++) a[i] = b[i];
}
"""

C_SUM_SOURCE = r"""
#include <stddef.h>
double sum_fast(const double *restrict x, ptrdiff_t n) {
    double s = 0.0;
    for (ptrdiff_t i = 0; i < n; i++) s += x[i];
    return s;
}
"""

# The sum is compiled with -ffast-math (reassociation, so it vectorizes) as ferrojit's
# `fastmath=True` is; the others need no float licence to vectorize.
C_FLAGS = ["-O3", "-march=native", "-shared", "-fPIC"]


def build_c(workdir):
    """The C reference loops, compiled with the system `cc` now, on this machine."""
    so = pathlib.Path(workdir) / "stream_ref.so"
    src = pathlib.Path(workdir) / "stream_ref.c"
    src.write_text(C_SOURCE)
    fast_src = pathlib.Path(workdir) / "stream_sum.c"
    fast_src.write_text(C_SUM_SOURCE)
    objs = []
    for path, extra in [(src, []), (fast_src, ["-ffast-math"])]:
        obj = path.with_suffix(".o")
        subprocess.run(["cc", *C_FLAGS, *extra, "-c", str(path), "-o", str(obj)], check=True)
        objs.append(str(obj))
    subprocess.run(["cc", "-shared", "-o", str(so), *objs], check=True)
    lib = ctypes.CDLL(str(so))
    p, d, n = ctypes.c_void_p, ctypes.c_double, ctypes.c_ssize_t
    lib.triad.argtypes = [p, p, p, d, n]
    lib.saxpy.argtypes = [d, p, p, n]
    lib.sum_fast.argtypes = [p, n]
    lib.sum_fast.restype = d
    lib.copy.argtypes = [p, p, n]
    return lib


def triad(a, b, c, s):
    for i in range(a.shape[0]):
        a[i] = b[i] + s * c[i]


def saxpy_inplace(a, x, y):
    for i in range(x.shape[0]):
        y[i] += a * x[i]


def ptr(a):
    return a.ctypes.data


def streaming_section(lib, quick):
    n = 1 << 16 if quick else 1 << 24
    rng = np.random.default_rng(0)
    a, b, c = np.zeros(n), rng.random(n), rng.random(n)
    x, y = rng.random(n), rng.random(n)
    s = 1.5
    fj_triad, fj_saxpy = jit(triad), jit(saxpy_inplace)
    fj_sum = jit(fastmath=True)(kernels.sum_1d)
    nb = numba is not None
    if nb:
        nb_triad, nb_saxpy = numba.njit(triad), numba.njit(saxpy_inplace)
        nb_sum = numba.njit(fastmath=True)(kernels.sum_1d)
    cases = [
        ("triad `a[i] = b[i] + s*c[i]`", 3 * 8 * n,
         lambda: lib.triad(ptr(a), ptr(b), ptr(c), s, n), lambda: fj_triad(a, b, c, s),
         (lambda: nb_triad(a, b, c, s)) if nb else None),
        ("saxpy `y[i] += a*x[i]`", 3 * 8 * n,
         lambda: lib.saxpy(s, ptr(x), ptr(y), n), lambda: fj_saxpy(s, x, y),
         (lambda: nb_saxpy(s, x, y)) if nb else None),
        ("sum (fastmath)", 8 * n,
         lambda: lib.sum_fast(ptr(b), n), lambda: fj_sum(b),
         (lambda: nb_sum(b)) if nb else None),
    ]
    print(f"## Streaming kernels against C -O3\n\n{n:,} float64 per array ({8 * n / MB:g} MiB each), "
          "GB/s of the bytes the loop reads and writes (best round); C is `cc -O3 -march=native` "
          "(the sum with `-ffast-math`), ferrojit has bounds checks on (the sum `fastmath=True`).\n")
    print("| kernel | C GB/s | ferrojit GB/s | Numba GB/s | ferrojit / C |")
    print("|---|--:|--:|--:|--:|")
    ok = True
    for name, nbytes, c_run, fj_run, nb_run in cases:
        contenders = [("C", c_run), ("ferrojit", fj_run)] + ([("Numba", nb_run)] if nb_run else [])
        best = best_of(contenders, 3 if quick else 25, 1 if not quick else 20)
        gbs = {k: nbytes / v / 1e9 for k, v in best.items()}
        ratio = gbs["ferrojit"] / gbs["C"]
        ok &= ratio >= 0.9
        numba_cell = f"{gbs['Numba']:.1f}" if "Numba" in gbs else "-"
        print(f"| {name} | {gbs['C']:.1f} | {gbs['ferrojit']:.1f} | {numba_cell} | {ratio:.0%} |", flush=True)
    print(f"\nTarget ferrojit at least 90% of C's bandwidth on each: {'met' if ok else 'NOT met'}.\n")
    return ok


# --- 3. the fused a * x + b -------------------------------------------------------------


def axpb_into(a, x, b, out):
    out[:] = a * x + b


def numpy_axpb_into(a, x, b, out):
    np.multiply(x, a, out=out)
    np.add(out, b, out=out)


def minor_faults_per_call(thunk, calls):
    thunk()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        thunk()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls


def anon_huge_kib_of(array):
    """AnonHugePages (KiB) of the mappings that hold `array`'s data, from /proc/self/smaps
    (madvise splits a buffer's mapping where the advised whole pages start)."""
    lo_data = array.ctypes.data
    hi_data = lo_data + array.nbytes
    try:
        lines = pathlib.Path("/proc/self/smaps").read_text().splitlines()
    except OSError:
        return None
    inside, total = False, 0
    for line in lines:
        head = line.split()[0] if line else ""
        if "-" in head and not head.endswith(":"):
            lo, hi = (int(v, 16) for v in head.split("-"))
            inside = lo < hi_data and lo_data < hi
        elif inside and line.startswith("AnonHugePages:"):
            total += int(line.split()[1])
    return total


def thp_setting(name):
    try:
        text = pathlib.Path(f"/sys/kernel/mm/transparent_hugepage/{name}").read_text()
    except OSError:
        return "unknown"
    return text[text.index("[") + 1:text.index("]")] if "[" in text else text.strip()


def axpb_section(lib, quick):
    n = 1 << 16 if quick else 10_000_000
    rng = np.random.default_rng(0)
    x, out = rng.random(n), np.empty(n)
    a, b = 2.5, 1.0
    fresh = jit(kernels.fused_axpb)
    into = jit(axpb_into)
    copy_dst = np.empty(n)
    contenders = [
        ("NumPy `a * x + b`", lambda: kernels.fused_axpb(a, x, b)),
        ("ferrojit, new array", lambda: fresh(a, x, b)),
        ("NumPy, into `out` (2 ufuncs, out=)", lambda: numpy_axpb_into(a, x, b, out)),
        ("ferrojit, into `out`", lambda: into(a, x, b, out)),
        ("C copy loop, into `out`", lambda: lib.copy(ptr(copy_dst), ptr(x), n)),
    ]
    if numba is not None:
        nb = numba.njit(kernels.fused_axpb)
        contenders.insert(2, ("Numba, new array", lambda: nb(a, x, b)))
    best = best_of(contenders, 3 if quick else 9, 1 if not quick else 20)
    faults = {name: minor_faults_per_call(thunk, 3) for name, thunk in contenders}
    held = fresh(a, x, b)
    huge = anon_huge_kib_of(held)
    numpy_t, fresh_t = best["NumPy `a * x + b`"], best["ferrojit, new array"]
    copy_t = best["C copy loop, into `out`"]
    # The C copy moves 8n bytes in and 8n out (plus the write-allocate read of `out`):
    # the time any loop reading one array and writing another into warm memory needs.
    print(f"## Fused `a * x + b` over {n:,} float64\n")
    print(f"Transparent huge pages: enabled [{thp_setting('enabled')}], defrag [{thp_setting('defrag')}]; "
          f"a returned {8 * n / MB:.0f} MiB result holds {huge if huge is not None else '?'} KiB of "
          "AnonHugePages.\n")
    print("| variant | ms per call | minor page faults per call | NumPy expression / variant |")
    print("|---|--:|--:|--:|")
    for name, _ in contenders:
        print(f"| {name} | {best[name] * 1e3:.2f} | {faults[name]:.0f} | {numpy_t / best[name]:.2f} |")
    ratio = numpy_t / fresh_t
    print(f"\nferrojit's new array against writing into `out`: {fresh_t / best['ferrojit, into `out`']:.2f}x the "
          f"time. A fresh {8 * n / MB:.0f} MiB of pages costs a page fault per page and the kernel's zeroing of "
          "it on first touch (see NumPy's and Numba's fault counts); ferrojit reuses the buffer of the "
          "result the previous call returned and the caller dropped (codegen/src/runtime.rs, `SPARE`).")
    print(f"Bandwidth bound: NumPy's expression at {numpy_t * 1e3:.2f} ms needs ferrojit at "
          f"{numpy_t / 2 * 1e3:.2f} ms for 2x; the C copy of the same bytes into warm memory takes "
          f"{copy_t * 1e3:.2f} ms, so 2x {'is' if copy_t <= numpy_t / 2 else 'is NOT'} within reach "
          "of a loop that writes into memory already mapped.")
    verdict = "met" if ratio >= 2.0 else "NOT met"
    print(f"\nTarget (issue 7) at least 2x NumPy's expression: {ratio:.2f}x, {verdict}.\n")
    return ratio >= 2.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and few rounds")
    parser.add_argument("--only", default="alloc,stream,axpb", help="sections, comma-separated")
    args = parser.parse_args()
    sections = set(args.only.split(","))
    print(f"Load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs\n")
    with tempfile.TemporaryDirectory() as workdir:
        lib = build_c(workdir) if sections & {"stream", "axpb"} else None
        if "alloc" in sections:
            allocation_section(args.quick)
        if "stream" in sections:
            streaming_section(lib, args.quick)
        if "axpb" in sections:
            axpb_section(lib, args.quick)
    print(f"Load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
