"""Every corpus kernel, run by ferrojit and by CPython (`f.py_func`), must agree.

Each case builds its arguments twice from the same seed, so the compiled kernel
and the interpreter each write into their own arrays. The layouts (C, F,
strided, negative strides) hold the same values, so only the code path differs.
"""

import importlib
import pathlib
import sys
import types

import numpy as np
import pytest

import ferrojit

CORPUS = pathlib.Path(__file__).resolve().parents[1] / "corpus"
sys.path.insert(0, str(CORPUS))

LAYOUTS_1D = ("C", "strided", "reversed")
LAYOUTS_ND = ("C", "F", "strided", "reversed")


def lay(arr, layout):
    """The same values as `arr`, in the requested memory layout."""
    arr = np.asarray(arr)
    if layout == "C":
        return np.ascontiguousarray(arr)
    if layout == "F":
        return np.asfortranarray(arr)
    if layout == "strided":
        big = np.zeros(tuple(2 * s + 1 for s in arr.shape), dtype=arr.dtype)
        view = big[tuple(slice(1, None, 2) for _ in arr.shape)]
        view[...] = arr
        assert not view.flags.c_contiguous or arr.size <= 1
        return view
    if layout == "reversed":
        flip = tuple(slice(None, None, -1) for _ in arr.shape)
        return np.ascontiguousarray(arr[flip])[flip]
    raise ValueError(layout)


def rng_for(seed):
    return np.random.default_rng(seed)


def type_key(value):
    """The specialization key SEMANTICS.md derives from a sample argument."""
    if isinstance(value, np.ndarray):
        if value.flags.c_contiguous:
            layout = "C"
        elif value.flags.f_contiguous:
            layout = "F"
        else:
            layout = "A"
        return ("array", value.dtype.name, value.ndim, layout, value.flags.writeable)
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, complex):
        return "complex128"
    if isinstance(value, np.generic):
        return value.dtype.name
    raise TypeError(type(value))


# --- case builders: name -> list of (id, builder, rtol); builder(seed) -> args ---


def _cases():
    cases = {}

    def add(name, case_id, builder, rtol=1e-12):
        cases.setdefault(name, []).append((case_id, builder, rtol))

    for lo in LAYOUTS_1D:
        for dt, rtol in ((np.float64, 1e-12), (np.float32, 1e-5), (np.int32, 1e-12)):
            add("sum_1d", f"{lo}-{np.dtype(dt).name}",
                lambda s, lo=lo, dt=dt: (lay((rng_for(s).random(1001) * 100).astype(dt), lo),), rtol)
    add("sum_1d", "empty", lambda s: (np.zeros(0),))
    add("sum_1d", "one", lambda s: (np.array([2.5]),))

    for lo in LAYOUTS_1D:
        for dt, rtol in ((np.float64, 1e-12), (np.float32, 1e-6)):
            def saxpy_args(s, lo=lo, dt=dt):
                r = rng_for(s)
                x = lay(r.random(257).astype(dt), lo)
                y = lay(r.random(257).astype(dt), lo)
                return 1.75, x, y, lay(np.zeros(257, dt), lo)
            add("saxpy", f"{lo}-{np.dtype(dt).name}", saxpy_args, rtol)

    for lo in LAYOUTS_1D:
        add("dot", lo, lambda s, lo=lo: (lay(rng_for(s).random(300), lo), lay(rng_for(s + 1).random(300), lo)))
    add("dot", "unequal-lengths", lambda s: (rng_for(s).random(10), rng_for(s).random(7)))
    add("dot", "int64-float64", lambda s: (rng_for(s).integers(-5, 5, 50), rng_for(s).random(50)))

    for lo in LAYOUTS_ND:
        def matmul_args(s, lo=lo):
            r = rng_for(s)
            return lay(r.random((13, 7)), lo), lay(r.random((7, 9)), lo), lay(np.zeros((13, 9)), lo)
        add("matmul", lo, matmul_args)
    add("matmul", "inner-mismatch", lambda s: (np.ones((3, 4)), np.ones((5, 2)), np.zeros((3, 2))))

    for lo in LAYOUTS_ND:
        for ksize in (2, 3, 4, 5):
            def convolve_args(s, lo=lo, ksize=ksize):
                r = rng_for(s)
                return lay(r.random((20, 17)), lo), r.random((ksize, ksize)), lay(np.zeros((20, 17)), lo)
            add("convolve", f"{lo}-k{ksize}", convolve_args)

    for lo in LAYOUTS_ND:
        def fw_args(s, lo=lo):
            r = rng_for(s)
            d = r.random((24, 24)) * 10
            d[r.random((24, 24)) < 0.3] = np.inf
            np.fill_diagonal(d, 0.0)
            return (lay(d, lo),)
        add("floyd_warshall", lo, fw_args)

    add("mandelbrot", "small", lambda s: (-2.0, 1.0, -1.2, 1.2, 40, 30, 50))
    add("mandelbrot", "int-bounds", lambda s: (-2, 1, -1, 1, 16, 9, 20))
    add("mandelbrot", "zero-width", lambda s: (-2.0, 1.0, -1.2, 1.2, 0, 3, 50))

    for lo in LAYOUTS_1D:
        def mc_args(s, lo=lo):
            r = rng_for(s)
            cs = (r.random(200) * 3 - 2) + 1j * (r.random(200) * 2.4 - 1.2)
            return lay(cs, lo), lay(np.zeros(200, np.int64), lo), 60
        add("mandelbrot_complex", lo, mc_args)

    for lo in LAYOUTS_1D:
        def bs_args(s, lo=lo):
            r = rng_for(s)
            n = 500
            return (lay(r.uniform(10, 50, n), lo), lay(r.uniform(10, 50, n), lo), lay(r.uniform(0.1, 2, n), lo),
                    0.02, 0.3, lay(np.zeros(n), lo), lay(np.zeros(n), lo))
        add("black_scholes", lo, bs_args, 1e-10)

    for n in (0, 1, 2, 10, 20):
        add("fib", f"n{n}", lambda s, n=n: (n,))

    for n in (1, 6, 27, 97, 871):
        add("collatz", f"n{n}", lambda s, n=n: (n,))
    add("collatz", "np-int64", lambda s: (np.int64(27),))

    for lo in LAYOUTS_1D:
        add("clip", lo, lambda s, lo=lo: (lay(rng_for(s).normal(size=100), lo), -0.5, 0.5, lay(np.zeros(100), lo)))
    add("clip", "float32-in", lambda s: (rng_for(s).normal(size=100).astype(np.float32), -0.5, 0.5, np.zeros(100)))

    for lo in LAYOUTS_1D:
        for target in (3, 42):
            add("find_first", f"{lo}-t{target}",
                lambda s, lo=lo, target=target: (lay(rng_for(s).integers(0, 10, 100), lo), target))
    add("find_first", "int32", lambda s: (rng_for(s).integers(0, 10, 100).astype(np.int32), 7))
    add("find_first", "empty", lambda s: (np.zeros(0, np.int64), 1))

    for lo in LAYOUTS_1D:
        def cp_args(s, lo=lo):
            a = rng_for(s).normal(size=150)
            a[::7] = 0.0
            return (lay(a, lo),)
        add("count_positive", lo, cp_args)
    add("count_positive", "int64", lambda s: (rng_for(s).integers(-3, 3, 99),))

    for lo in LAYOUTS_1D:
        add("reverse_copy", lo, lambda s, lo=lo: (lay(rng_for(s).random(33), lo), lay(np.zeros(33), lo)))
    add("reverse_copy", "empty", lambda s: (np.zeros(0), np.zeros(0)))

    for lo in LAYOUTS_1D:
        add("min_argmin", lo, lambda s, lo=lo: (lay(rng_for(s).normal(size=77), lo),))
    add("min_argmin", "ties", lambda s: (np.array([3.0, 1.0, 1.0, 2.0]),))
    add("min_argmin", "empty", lambda s: (np.zeros(0),))

    for lo in LAYOUTS_1D:
        for dt, rtol in ((np.float64, 1e-12), (np.float32, 1e-5)):
            add("cumsum", f"{lo}-{np.dtype(dt).name}",
                lambda s, lo=lo, dt=dt: (lay(rng_for(s).random(64).astype(dt), lo),), rtol)

    for lo in LAYOUTS_1D:
        add("histogram", lo, lambda s, lo=lo: (lay(rng_for(s).integers(0, 256, 5000, dtype=np.uint8), lo),))

    for lo in LAYOUTS_1D:
        def f32_args(s, lo=lo):
            a = rng_for(s).random(128).astype(np.float32)
            return lay(a, lo), np.float32(1.5), lay(np.zeros(128, np.float32), lo)
        add("scale_f32", lo, f32_args, 1e-6)

    for lo in LAYOUTS_1D:
        def mask_args(s, lo=lo):
            r = rng_for(s)
            return lay(r.random(300) < 0.3, lo), lay(r.normal(size=300), lo)
        add("mask_count", lo, mask_args)

    for lo in LAYOUTS_1D:
        def fd_args(s, lo=lo):
            r = rng_for(s)
            a = r.integers(-20, 21, 60)
            b = r.integers(1, 8, 60) * r.choice([-1, 1], 60)
            outs = [lay(np.zeros(60, dt), lo) for dt in (np.int64, np.int64, np.float64, np.float64)]
            return (lay(a, lo), lay(b, lo), *outs)
        add("floor_divmod", lo, fd_args)

    for lo in LAYOUTS_1D:
        add("module_constant", lo, lambda s, lo=lo: (lay(rng_for(s).random(40), lo), lay(np.zeros(40), lo)))

    add("checked_sqrt_sum", "positive", lambda s: (rng_for(s).random(100),))
    add("checked_sqrt_sum", "negative", lambda s: (np.array([1.0, 4.0, -1.0, 9.0]),))

    for lo in LAYOUTS_1D:
        add("sum_squares", lo, lambda s, lo=lo: (lay(rng_for(s).normal(size=200), lo),))

    for lo in LAYOUTS_ND:
        add("sum_3d", lo, lambda s, lo=lo: (lay(rng_for(s).random((4, 5, 6)), lo),))

    for lo in LAYOUTS_1D:
        for dt, hi in ((np.int32, 1000), (np.int16, 10)):
            def i32_args(s, lo=lo, dt=dt, hi=hi):
                r = rng_for(s)
                a = r.integers(-hi, hi, 50).astype(dt)
                b = r.integers(-hi, hi, 50).astype(dt)
                return lay(a, lo), lay(b, lo), lay(np.zeros(50, dt), lo)
            add("int32_promotion", f"{lo}-{np.dtype(dt).name}", i32_args)

    def mt_args(s):
        x = np.concatenate([rng_for(s).uniform(-3, 3, 50), [0.0, -0.0, 0.5, -0.5, 1.0, -2.5, 2.0]])
        return x, np.zeros((x.size, 13))
    add("math_table", "values", mt_args, 1e-13)
    add("math_table", "strided-x", lambda s: (lay(rng_for(s).uniform(-3, 3, 20), "strided"), np.zeros((20, 13))), 1e-13)

    for lo in LAYOUTS_1D:
        def ir_args(s, lo=lo):
            a = rng_for(s).uniform(-1, 1, 200)
            a[:5] = [-0.5, 0.5, 0.0, -0.0, 0.25]
            return lay(a, lo), -0.5, 0.5
        add("in_range_count", lo, ir_args)

    for lo in LAYOUTS_1D:
        def st_args(s, lo=lo):
            a = rng_for(s).normal(size=50)
            a[::5] = 0.0
            return lay(a, lo), lay(np.zeros(50, np.int64), lo)
        add("sign_ternary", lo, st_args)

    for lo in LAYOUTS_1D:
        def scatter_args(s, lo=lo, bad=None):
            r = rng_for(s)
            idx = r.integers(-40, 40, 300)  # negative ones wrap around
            if bad is not None:
                idx[bad] = 40
            return lay(r.normal(size=300), lo), lay(idx, lo), lay(np.zeros(40), lo)
        add("scatter_add", lo, scatter_args)
        add("scatter_add", f"{lo}-out-of-bounds", lambda s, f=scatter_args: f(s, bad=150))

    for lo in LAYOUTS_1D:
        add("wraparound", lo, lambda s, lo=lo: (lay(rng_for(s).random(25), lo),))
    add("wraparound", "one", lambda s: (np.array([4.0]),))

    for n in (1, 2, 10, 100):
        add("unify_int_float", f"n{n}", lambda s, n=n: (n,))

    return cases


CASES = _cases()
KERNELS = sorted(p.stem for p in CORPUS.glob("*.py"))


def load(name):
    return getattr(importlib.import_module(name), name)


def assert_same(got, expected, rtol, where):
    if isinstance(expected, tuple):
        assert isinstance(got, tuple), f"{where}: expected a tuple, got {got!r}"
        assert len(got) == len(expected), where
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same(g, e, rtol, f"{where}[{i}]")
    elif isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), f"{where}: expected an array, got {type(got)}"
        assert got.shape == expected.shape, where
        assert got.dtype == expected.dtype, where
        if expected.dtype.kind in "biu":
            np.testing.assert_array_equal(got, expected, err_msg=where)
        else:
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-300, err_msg=where)
    elif expected is None:
        assert got is None, f"{where}: expected None, got {got!r}"
    elif isinstance(expected, (bool, np.bool_)):
        assert isinstance(got, (bool, np.bool_)) and got == expected, f"{where}: {got!r} != {expected!r}"
    elif isinstance(expected, (int, np.integer)):
        assert isinstance(got, (int, np.integer)), f"{where}: expected an int, got {got!r}"
        assert got == expected, f"{where}: {got!r} != {expected!r}"
    else:
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-300, err_msg=where)


def run_case(dispatcher, builder, rtol, where, seed=1234):
    args_jit = builder(seed)
    args_py = builder(seed)
    try:
        with np.errstate(all="ignore"):
            expected = dispatcher.py_func(*args_py)
    except Exception as exc:  # the interpreter's error is the expected behaviour
        with pytest.raises(type(exc)) as info:
            dispatcher(*args_jit)
        assert str(info.value) == str(exc), where
    else:
        got = dispatcher(*args_jit)
        assert_same(got, expected, rtol, f"{where}: result")
    # Also after an exception: it must happen at the same iteration, after the same writes.
    for i, (a, b) in enumerate(zip(args_jit, args_py)):
        if isinstance(b, np.ndarray):
            assert_same(a, b, rtol, f"{where}: argument {i} after the call")
    return args_jit


def test_every_kernel_has_cases():
    assert len(KERNELS) >= 24
    assert sorted(CASES) == KERNELS


@pytest.mark.parametrize("name", KERNELS)
def test_kernel_matches_python(name):
    kernel = load(name)
    assert isinstance(kernel.py_func, types.FunctionType)
    for case_id, builder, rtol in CASES[name]:
        run_case(kernel, builder, rtol, f"{name}[{case_id}]")


def call_allowing_kernel_errors(dispatcher, args):
    """Some cases exist to check a raised error; they still compile a specialization."""
    try:
        dispatcher(*args)
    except (IndexError, ValueError, ZeroDivisionError):
        pass


@pytest.mark.parametrize("name", KERNELS)
def test_signatures_follow_argument_types(name):
    """A repeated type key reuses its specialization; a new dtype or layout adds one."""
    fresh = ferrojit.jit(load(name).py_func)
    assert len(fresh.signatures) == 0
    seen = set()
    for case_id, builder, _ in CASES[name]:
        seen.add(tuple(type_key(a) for a in builder(7)))
        call_allowing_kernel_errors(fresh, builder(7))
        assert len(fresh.signatures) == len(seen), f"{name}[{case_id}]: {fresh.signatures}"
        call_allowing_kernel_errors(fresh, builder(8))
        assert len(fresh.signatures) == len(seen), f"{name}[{case_id}]: a second call added a signature"


def test_new_layout_adds_a_signature_for_convolve():
    """The issue's example: C arguments, then a Fortran-ordered image."""
    fresh = ferrojit.jit(load("convolve").py_func)
    r = rng_for(0)
    img, k = r.random((30, 30)), r.random((5, 5))
    out = np.zeros((30, 30))
    fresh(img, k, out)
    fresh(img, k, out)
    assert len(fresh.signatures) == 1
    out_t = np.zeros((30, 30))
    fresh(img.T, k, out_t)
    assert len(fresh.signatures) == 2
    expected = np.zeros((30, 30))
    fresh.py_func(img.T.copy(), k, expected)
    np.testing.assert_allclose(out_t, expected, rtol=1e-12)


def test_mandelbrot_result_owns_its_memory():
    counts = load("mandelbrot")(-2.0, 1.0, -1.2, 1.2, 40, 30, 50)
    assert counts.dtype == np.int64 and counts.shape == (30, 40)
    assert counts.flags.c_contiguous and counts.flags.writeable
    counts[0, 0] = -1  # an ordinary writable NumPy array
    assert counts[0, 0] == -1
    assert counts.max() == 50 and counts.min() >= -1

