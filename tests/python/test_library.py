"""The functions of the library registry (`library/`), against NumPy and CPython.

Each function gets its own @jit kernel, written into a module generated for the
session (ferrojit reads a function's source, so it must live in a real file).
"""

import importlib.util
import math
import sys

import numpy as np
import pytest

import ferrojit

NUMPY_UNARY = """sqrt cbrt exp exp2 expm1 log log2 log10 log1p sin cos tan arcsin asin arccos
acos arctan atan sinh cosh tanh arcsinh asinh arccosh acosh arctanh atanh fabs rint floor ceil
trunc isnan isinf isfinite square negative sign degrees rad2deg radians deg2rad
reciprocal""".split()
NUMPY_BINARY = "arctan2 atan2 hypot copysign minimum maximum fmin fmax".split()
MATH_UNARY = """sqrt cbrt exp exp2 expm1 log log2 log10 log1p sin cos tan asin acos atan sinh cosh
tanh asinh acosh atanh fabs floor ceil trunc erf erfc gamma lgamma isnan isinf isfinite degrees
radians""".split()
MATH_BINARY = "atan2 hypot pow copysign".split()

FLOATS = [0.5, 2.5, -1.5, 3.0, 0.0, -0.0, 1e-10, math.inf, -math.inf, math.nan]
INTS = [-3, 0, 7]


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    lines = ["import math", "import numpy as np", "from ferrojit import jit", ""]
    for module, unary, binary in [("np", NUMPY_UNARY, NUMPY_BINARY), ("math", MATH_UNARY, MATH_BINARY)]:
        for name in unary:
            lines += ["@jit", f"def {module}_{name}(x):", f"    return {module}.{name}(x)", ""]
        for name in binary:
            lines += ["@jit", f"def {module}_{name}(x, y):", f"    return {module}.{name}(x, y)", ""]
    path = tmp_path_factory.mktemp("library") / "library_kernels.py"
    path.write_text("\n".join(lines))
    spec = importlib.util.spec_from_file_location("library_kernels", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["library_kernels"] = mod
    spec.loader.exec_module(mod)
    return mod


def numpy_inputs():
    for v in FLOATS:
        yield np.float64(v)
        yield np.float32(v)
        yield v
    for v in INTS:
        yield np.int8(v)
        yield np.int64(v)
        yield np.int16(v)
        yield v
        if v >= 0:
            yield np.uint8(v)
            yield np.uint64(v)
    yield True


def same_value(got, want, ulps=4):
    """Equal, NaN equal to NaN, the sign of zero kept; transcendental results
    within a few units in the last place of `want`'s type."""
    if isinstance(want, (bool, np.bool_)):
        return type(got) is bool and got == bool(want)
    if np.isnan(want):
        return math.isnan(got)
    if want == 0 or np.isinf(want):
        return got == want and math.copysign(1, got) == math.copysign(1, float(want))
    if isinstance(want, (np.integer, int)):
        return type(got) is int and got == int(want)
    spacing = float(np.spacing(np.abs(want)))
    return abs(got - float(want)) <= ulps * spacing


def numpy_reference(f, *args):
    """NumPy's result; float16 ones (of int8, uint8 and bool) computed in float32,
    as ferrojit does (it has no float16)."""
    with np.errstate(all="ignore"):
        want = f(*args)
        if getattr(want, "dtype", None) == np.float16:
            want = f(*[np.float32(a) for a in args])
    return want


@pytest.mark.parametrize("name", NUMPY_UNARY)
def test_numpy_unary_functions_match_numpy(kernels, name):
    kernel = getattr(kernels, f"np_{name}")
    f = getattr(np, name)
    checked = 0
    for x in numpy_inputs():
        try:
            want = numpy_reference(f, x)
        except TypeError:
            # NumPy refuses the type (np.negative(True)); ferrojit says why at compile time.
            with pytest.raises(ferrojit.TypingError, match="E0220"):
                kernel(x)
            continue
        if name == "reciprocal" and not isinstance(x, (float, np.floating)):
            with pytest.raises(ferrojit.TypingError, match="write 1.0 / x"):
                kernel(x)
            continue
        got = kernel(x)
        assert same_value(got, want), f"np.{name}({x!r} {type(x).__name__}): {got!r}, NumPy {want!r}"
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("name", NUMPY_BINARY)
def test_numpy_binary_functions_match_numpy(kernels, name):
    kernel = getattr(kernels, f"np_{name}")
    f = getattr(np, name)
    pairs = [(np.float64(a), np.float64(b)) for a in FLOATS for b in FLOATS]
    pairs += [(np.float32(a), b) for a in FLOATS[:6] for b in FLOATS[:6]]
    pairs += [(np.int8(a), np.uint8(b)) for a in INTS for b in [0, 7]]
    pairs += [(a, b) for a in INTS for b in INTS]
    pairs += [(np.int64(3), 2.5), (True, False), (np.float32(1.5), np.float64(2.5))]
    for x, y in pairs:
        want = numpy_reference(f, x, y)
        got = kernel(x, y)
        if name in ("fmin", "fmax") and x == 0 and y == 0:
            # C leaves the sign of fmin(0.0, -0.0) open; NumPy's differs by dtype.
            assert got == 0
            continue
        assert same_value(got, want), f"np.{name}({x!r}, {y!r}): {got!r}, NumPy {want!r}"


@pytest.mark.parametrize("name", MATH_UNARY)
def test_math_unary_functions_match_cpython(kernels, name):
    kernel = getattr(kernels, f"math_{name}")
    checked = 0
    for x in FLOATS + INTS + [np.float32(2.5), np.int8(-3)]:
        try:
            want = getattr(math, name)(x)
        except (ValueError, OverflowError):
            # Outside the domain ferrojit follows IEEE (docs/language.md).
            continue
        except TypeError:
            # math.trunc(np.float32(2.5)): NumPy's float32 has no __trunc__.
            continue
        got = kernel(x)
        # CPython has its own gamma and lgamma, up to ~10 ulps from the C library's
        # (lgamma(2.5): CPython 0.2846828704729196, glibc 0.2846828704729192, the
        # exact value 0.28468287047291915...).
        ulps = 16 if name in ("gamma", "lgamma") else 2
        assert same_value(got, want, ulps=ulps), f"math.{name}({x!r}): {got!r}, CPython {want!r}"
        checked += 1
    assert checked >= 6


@pytest.mark.parametrize("name", MATH_BINARY)
def test_math_binary_functions_match_cpython(kernels, name):
    kernel = getattr(kernels, f"math_{name}")
    for x in FLOATS[:7] + INTS:
        for y in [0.5, -2.0, 3, 0.0]:
            try:
                want = getattr(math, name)(x, y)
            except (ValueError, OverflowError, ZeroDivisionError):
                continue
            got = kernel(x, y)
            assert same_value(got, want, ulps=2), f"math.{name}({x!r}, {y!r}): {got!r}, CPython {want!r}"


def test_complex_arguments_are_refused_with_a_reason(kernels):
    # np.sqrt takes complex numbers (test_complex_ufuncs.py); np.arcsin not yet.
    with pytest.raises(ferrojit.TypingError) as info:
        kernels.np_arcsin(1 + 2j)
    message = str(info.value)
    assert "error[E0220]: `np.arcsin` needs real numbers" in message
    assert "complex arguments are not supported yet" in message


def test_a_bool_has_no_numpy_negative(kernels):
    with pytest.raises(TypeError):
        np.negative(True)
    with pytest.raises(ferrojit.TypingError) as info:
        kernels.np_negative(True)
    assert "`np.negative` needs a number, not a bool" in str(info.value)


@ferrojit.jit
def naive_forms(x):
    return math.log(1 + x), np.log(x + 1.0), np.exp(x) - 1, math.exp(x) - 1


@ferrojit.jit
def naive_forms_of_arrays(a):
    return np.log(1 + a), np.exp(a) - 1


def test_log_of_one_plus_and_exp_minus_one_are_computed_accurately():
    # For tiny x, 1 + x and exp(x) keep only the digits of x that fit beside 1.
    for x in [1e-12, -3e-10, 2.5e-17, 0.25]:
        got = naive_forms(x)
        assert got == (math.log1p(x), math.log1p(x), math.expm1(x), math.expm1(x))
        naive = naive_forms.py_func(x)
        if x != 0.25:
            assert abs(got[0] - x) < abs(naive[0] - x)
    a = np.array([1e-9, 1e-6, 0.5], np.float32)
    logs, exps = naive_forms_of_arrays(a)
    np.testing.assert_array_equal(logs, np.log1p(a))
    np.testing.assert_array_equal(exps, np.expm1(a))
    assert logs.dtype == np.float32


def test_float32_degrees_and_radians_are_numpys_to_the_last_bit(kernels):
    # Fuzz finding (tag deg32): NumPy multiplies float32 by 180f / pi_f, computed in float32.
    for x in [np.float32(1.0), np.float32(0.3), np.float32(-2.5)]:
        for name in ("degrees", "rad2deg", "radians", "deg2rad"):
            assert getattr(kernels, f"np_{name}")(x) == float(getattr(np, name)(x)), name


@ferrojit.jit
def numpy_abs(x):
    return np.abs(x), np.absolute(x)


def test_numpy_abs_of_numbers_and_arrays():
    for x in [np.int8(-128), -3, 2.5, np.float32(-0.0), -1 + 2j, np.complex64(3 - 4j), True]:
        for g, w in zip(numpy_abs(x), numpy_abs.py_func(x)):
            assert same_value(g, w), (x, g, w)
    for a in [np.array([-1, 2, -128], np.int8), np.array([-1.5, np.nan, -0.0]), np.array([3 - 4j, -1j]),
              np.array([True, False])]:
        for g, w in zip(numpy_abs(a), numpy_abs.py_func(a)):
            assert g.dtype == w.dtype
            np.testing.assert_array_equal(g, w)
