"""Large functions compile (issue 9): the speed goals live in `make bench-compile`
(bench/compile_scaling.py); these tests check that the compile finishes right and
that a straight-line function's compile time grows about linearly."""

import importlib.util
import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "bench"))

import compile_scaling  # noqa: E402


def load(tmp_path, shape, n):
    path = tmp_path / f"gen_{shape}_{n}.py"
    path.write_text(compile_scaling.module_source(shape, n))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_10000_line_straight_line_function_compiles(tmp_path):
    module = load(tmp_path, "straight", 10000)
    # The values overflow to inf, then nan, as in CPython.
    assert repr(module.f(*module.ARGS)) == repr(module.f.py_func(*module.ARGS))
    assert module.f.compile_count == 1


def test_every_generated_shape_matches_cpython(tmp_path):
    for shape in compile_scaling.SHAPES:
        module = load(tmp_path, shape, 300)
        args = module.ARGS
        expected = module.f.py_func(*[a.copy() if hasattr(a, "copy") else a for a in args])
        assert module.f(*args) == expected, shape


def test_straight_line_compile_time_grows_about_linearly():
    # Issue 9: compile time at most linear in function size. Stage times
    # from fresh interpreters (FERROJIT_TIME_STAGES); quadratic growth
    # would be 4x the growth in lines, linear 1x. Best of two, for load.
    def seconds(n):
        times = [compile_scaling.measure("straight", n, 120) for _ in range(2)]
        assert None not in times
        return min(t["optimize"] + t["jit"] for t in times)

    growth = seconds(2000) / seconds(500) / 4
    assert growth < 2.0, growth


def test_long_elif_chains_compile_and_match_cpython(tmp_path):
    # Each `elif` nests one level in the syntax tree: 5000 arms once passed
    # the compiler's nesting limit (E0120), though CPython runs them.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)  # CPython's own compile of the chain
    try:
        for n in (2000, 10000):  # 1000 and 5000 arms
            module = load(tmp_path, "chain", n)
            arms = (n - 2) // 2
            for x in (0, 1, 7, arms // 2, arms - 2, arms - 1, arms, -1, 10**9):
                assert module.f(x) == module.f.py_func(x), (n, x)
    finally:
        sys.setrecursionlimit(limit)


def test_elif_chain_compile_time_grows_about_linearly():
    # 5000 arms against 1000: linear is 1x the growth in arms, quadratic 5x
    # (LLVM's default<O2> was: 0.9 s at 1000 arms, 22 s at 5000).
    def seconds(n):
        times = [compile_scaling.measure("chain", n, 120) for _ in range(2)]
        assert None not in times
        return min(t["total"] for t in times)

    growth = seconds(10000) / seconds(2000) / 5
    assert growth < 2.0, growth


def test_a_10000_line_straight_line_function_compiles_in_under_2_cpu_seconds():
    # Issue 9's target, in CPU time of the first call (wall time on a loaded
    # machine measures the other jobs). Best of two fresh interpreters.
    times = [compile_scaling.measure("straight", 10000, 120) for _ in range(2)]
    assert None not in times
    assert min(t["cpu"] for t in times) < 2.0, times


def oversized_source(lines):
    # Straight-line arithmetic past codegen's HUGE_INSTRUCTIONS (about eight
    # LLVM instructions a line), then an index that may be out of range, so
    # that the raise path of code made at -O0 runs too.
    body = ["def f(a, k):", "    x = a[0]", "    y = 0.5"]
    for i in range(lines):
        body.append(f"    x = x * 0.999 + y - {i % 5}.0" if i % 2 else f"    y = y * 1.001 - x * 0.25")
    body.append("    return x + y + a[k]")
    return "import numpy as np\nfrom ferrojit import jit\n\n@jit\n" + "\n".join(body) + "\n"


def test_oversized_functions_match_cpython_including_their_errors(tmp_path):
    path = tmp_path / "oversized.py"
    path.write_text(oversized_source(5000))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    f = module.f
    a = np.array([1.5, -2.0, 3.25])
    for k in (0, 2, -1, -3):
        assert repr(f(a, k)) == repr(float(f.py_func(a, k))), k
    for k in (3, -4):
        with pytest.raises(IndexError) as ours:
            f(a, k)
        with pytest.raises(IndexError) as theirs:
            f.py_func(a, k)
        assert str(ours.value) == str(theirs.value)


def test_functions_of_many_blocks_match_cpython_including_their_errors(tmp_path):
    # 1000 lines of array reads and writes: over 4000 blocks (HUGE_BLOCKS).
    module = load(tmp_path, "arrays", 1000)
    a, b = module.ARGS
    theirs_a, ours_a = a.copy(), a.copy()
    assert module.f(ours_a, b.copy()) == module.f.py_func(theirs_a, b.copy())
    np.testing.assert_array_equal(ours_a, theirs_a)
    short = np.ones(20)
    with pytest.raises(IndexError) as ours:
        module.f(a.copy(), short)
    with pytest.raises(IndexError) as theirs:
        module.f.py_func(a.copy(), short)
    assert str(ours.value) == str(theirs.value)
