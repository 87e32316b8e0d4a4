"""Compile time against function size: first-call time of generated functions.

    .venv/bin/python bench/compile_scaling.py                 # every shape, N = 1000..10000
    .venv/bin/python bench/compile_scaling.py --sizes 1000,2000 --shapes straight,locals
    .venv/bin/python bench/compile_scaling.py --show straight 20   # print a generated function

Each case runs in a fresh interpreter with FERROJIT_TIME_STAGES=1, which makes
ferrojit print the time of each compile stage to stderr; the table shows the
first call's wall time, its CPU time (the process's, which other jobs on a loaded
machine do not inflate) and each stage's wall time; the last lines give the growth
of the CPU time from the smallest to the largest N, and between the two largest,
divided by the growth in N (about 1 when compile time is linear, 2 when it is
quadratic). Issue 9's target: a
10,000-line straight-line function compiles in under 2 s.
"""

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

SIZES = (1000, 2000, 5000, 10000)
# CPython's own parser refuses more than 100 levels of indentation, below the
# 10,000 levels ferrojit allows (E0120): deeper nests could not be imported.
MAX_DEPTH = 90
STAGES = ("parse", "infer", "lower", "emit", "optimize", "jit")


def straight(n):
    """Scalar float arithmetic, three locals rebound on every line."""
    body = ["a = x", "b = x * 0.5", "c = 1.0"]
    for i in range(n - 4):
        v, w, u = ("a", "b", "c")[i % 3], ("b", "c", "a")[i % 3], ("c", "a", "b")[i % 3]
        body.append(f"{v} = {v} * 1.0001 + {w} - {u} * {(i % 7) + 1}.0")
    body.append("return a + b + c")
    return "def f(x):", body, "(1.5,)"


def arrays(n):
    """Array reads and writes at constant and computed indices."""
    body = ["i = 0"]
    for k in range(n - 2):
        if k % 2 == 0:
            body.append(f"i = (i + {k % 13 + 1}) % 60")
        else:
            body.append(f"a[i + {k % 3}] = b[i] * {k % 5 + 1}.0 + a[{k % 64}] - b[i + 1]")
    body.append("return a[0]")
    return "def f(a, b):", body, "(np.zeros(64), np.ones(64))"


def loops(n):
    """Many small loops in sequence (two lines each)."""
    body = ["s = 0.0"]
    for k in range((n - 2) // 2):
        body.append(f"for i in range({k % 5}, n):")
        body.append(f"    s += a[i] * {k % 7 + 1}.0")
    body.append("return s")
    return "def f(a, n):", body, "(np.ones(16), 16)"


def nested(n):
    """`if` statements nested MAX_DEPTH deep, repeated to make N lines."""
    body = ["s = 0"]
    while len(body) < n - 1:
        depth = min(MAX_DEPTH, (n - 1 - len(body)) // 2)
        if depth == 0:
            break
        for d in range(depth):
            body.append("    " * d + f"if x > {d}:")
            body.append("    " * (d + 1) + f"s += {d + 1}")
    body.append("return s")
    return "def f(x):", body, "(50,)"


def many_locals(n):
    """A new local on every line."""
    body = ["v0 = x"]
    for i in range(1, n - 1):
        body.append(f"v{i} = v{i - 1} + {i % 9 + 1}")
    body.append(f"return v{n - 2}")
    return "def f(x):", body, "(1,)"


def calls(n):
    """Many calls to one @jit callee."""
    body = ["s = 0.0"]
    for i in range(n - 2):
        body.append(f"s = g(s, {i % 11}.0)")
    body.append("return s")
    return "def f(x):", body, "(1.0,)"


def elif_chain(n):
    """`if`/`elif` chains of 50 tests on the argument, each arm one assignment
    (an `elif` nests in the syntax tree: "chain" is one chain of N/2 arms)."""
    body = ["s = 0"]
    for k in range((n - 2) // 2):
        body.append(f"{'if' if k % 50 == 0 else 'elif'} x == {k % 50}:")
        body.append(f"    s += {k % 17 + 1}")
    body.append("return s")
    return "def f(x):", body, "(7,)"


def chain(n):
    """One `if`/`elif` chain of N/2 arms on the argument (generated dispatch
    code; CPython needs a raised recursion limit past about 1500 arms)."""
    body = []
    for k in range((n - 2) // 2):
        body.append(f"{'if' if k == 0 else 'elif'} x == {k}:")
        body.append(f"    s = {k * 7 % 1000}")
    body[-2:] = ["else:", "    s = -1"]
    body.append("return s")
    return "def f(x):", body, "(1234,)"


def loop_body(n):
    """One loop whose body is N lines of array arithmetic."""
    body = ["s = 0.0", "for i in range(1, len(a) - 1):", "    t = a[i]"]
    for k in range(n - 4):
        body.append(f"    t = t * {(k % 7 + 1) / 8} + a[i - 1] - b[i + {k % 2}] * 0.5")
    body.append("    s += t")
    body.append("return s")
    return "def f(a, b):", body, "(np.ones(64), np.ones(64))"


SHAPES = {
    "straight": straight,
    "arrays": arrays,
    "loops": loops,
    "nested": nested,
    "locals": many_locals,
    "calls": calls,
    "elif": elif_chain,
    "chain": chain,
    "loopbody": loop_body,
}


def module_source(shape, n):
    header, body, args = SHAPES[shape](n)
    lines = [
        "import numpy as np",
        "from ferrojit import jit",
        "",
        "@jit",
        "def g(s, t):",
        "    return s * 0.5 + t",
        "",
        "@jit",
        header,
    ]
    lines += ["    " + line for line in body]
    lines += ["", f"ARGS = {args}", ""]
    return "\n".join(lines)


def run_one(shape, n):
    """In this process: import the generated module and time its first call."""
    import importlib.util

    # CPython compiles an `elif` chain recursively (the "chain" shape).
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20 * n))
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / f"gen_{shape}_{n}.py"
        path.write_text(module_source(shape, n))
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        start, cpu = time.perf_counter(), time.process_time()
        module.f(*module.ARGS)
        print(f"total {time.perf_counter() - start:.4f} cpu {time.process_time() - cpu:.4f}")


def measure(shape, n, timeout):
    """Wall time of the first call and the time of each stage, in a child interpreter."""
    env = dict(os.environ, FERROJIT_TIME_STAGES="1")
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--one", shape, str(n)],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-2000:])
        return None
    last = done.stdout.split()
    times = {"total": float(last[-3]), "cpu": float(last[-1])}
    # Lines `ferrojit time <stage> <seconds> <function>`: the entry `f`'s
    # compile plus its callee's, summed per stage.
    for line in done.stderr.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[:2] == ["ferrojit", "time"]:
            times[parts[2]] = times.get(parts[2], 0.0) + float(parts[3])
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per case")
    parser.add_argument("--one", nargs=2, metavar=("SHAPE", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--show", nargs=2, metavar=("SHAPE", "N"))
    args = parser.parse_args()
    if args.one:
        run_one(args.one[0], int(args.one[1]))
        return
    if args.show:
        print(module_source(args.show[0], int(args.show[1])))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    shapes = args.shapes.split(",")
    columns = ("total", "cpu") + STAGES
    print("## Compile time (first call, seconds) against function size\n")
    print("| shape | N | " + " | ".join(columns) + " |")
    print("|---|--:|" + "--:|" * len(columns))
    growth = {}
    for shape in shapes:
        measured = []
        for n in sizes:
            times = measure(shape, n, args.timeout)
            if times is None:
                print(f"| {shape} | {n} | failed or over {args.timeout:.0f} s |" + " |" * len(STAGES))
                sys.stdout.flush()
                continue
            cells = " | ".join(f"{times.get(c, 0.0):.3f}" for c in columns)
            print(f"| {shape} | {n} | {cells} |")
            sys.stdout.flush()
            measured.append((n, times["cpu"]))
        if len(measured) >= 2:
            growth[shape] = (slope(measured[0], measured[-1]), slope(measured[-2], measured[-1]))
    print("\nGrowth of the first call's CPU time over the growth of N (1 = linear, 2 = quadratic),")
    print("from the smallest to the largest N, and between the two largest: the smallest")
    print("functions may get `default<O2>` where larger ones get the linear pipeline of")
    print("oversized functions (codegen/src/jit.rs), which makes the first figure larger:\n")
    for shape, (whole, top) in growth.items():
        print(f"- {shape}: {whole:.2f}, largest two {top:.2f}")


def slope(small, large):
    """Growth of the time from `small` to `large` ((N, seconds) each) over the growth of N."""
    return (large[1] / small[1]) / (large[0] / small[0])


if __name__ == "__main__":
    main()
