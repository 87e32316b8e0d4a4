"""The reference semantics: CPython, plus the rules docs/language.md chooses where ferrojit differs.

The reference module of a generated program calls these helpers for every operation whose
documented result is not CPython's. A helper that meets a case where the rule is unspecified
raises `Undefined` (the runner discards that case). Helpers add tags to `TAGS` for the edge
cases a call went through (an index beyond 2**31, a float-to-int conversion of nan...): a
finding shows them, and a tag in case.KNOWN_TAGS marks an open bug, counted as known.
"""

import ctypes
import ctypes.util
import math

import numpy as np

INT64_MIN = -(2**63)
# Iterations one reference call may run before its case is discarded: keeps every case short
# and, since ferrojit runs the same iterations, keeps the compiled side from running long too.
BUDGET = 20000

TAGS = set()
_steps = 0


class Undefined(Exception):
    """The documented rules leave this case's result unspecified."""


def reset():
    global _steps
    _steps = 0
    TAGS.clear()


def _w(x):
    """Two's-complement wraparound to int64 (docs/language.md, Numbers)."""
    return ((x + 2**63) & (2**64 - 1)) - 2**63


def _it(r):
    """Iterates a range, counting iterations against the budget."""
    global _steps
    for i in r:
        _steps += 1
        if _steps > BUDGET:
            raise Undefined("iteration budget")
        yield i


def _tick():
    """One iteration of a while loop."""
    global _steps
    _steps += 1
    if _steps > BUDGET:
        raise Undefined("iteration budget")
    return True


def _ipow(a, b):
    """int ** int: NumPy's rule for negative exponents, wrapping otherwise."""
    if b < 0:
        raise ValueError("integers to negative integer powers are not allowed")
    return _w(pow(a, b, 2**64))


def _shl(a, b):
    if b < 0:
        raise ValueError("negative shift count")
    return 0 if b >= 64 else _w(a << b)


def _fpow(a, b):
    """Float power: IEEE where CPython raises OverflowError or returns a complex."""
    a, b = float(a), float(b)
    if a == 0.0 and b < 0.0:
        TAGS.add("zero_pow_neg")  # CPython raises ZeroDivisionError, but not for b = -inf
    try:
        r = a**b
    except OverflowError:
        r = None
    if r is None or isinstance(r, complex):
        with np.errstate(all="ignore"):
            r = float(np.power(np.float64(a), np.float64(b)))
    return r


def _ffloordiv(a, b):
    r = a // b
    if r == 0.0:
        TAGS.add("negzero_floordiv")
    return r


def _tdiv(a, b):
    """int / int: both converted to float64 first (docs/language.md, as NumPy and Numba), where
    CPython rounds the exact quotient once; the two differ only beyond 2**53."""
    if b == 0:
        return a / b  # CPython's message for ints
    return float(a) / float(b)


def _f2i(x):
    """float -> int64: truncation; NaN, infinities and values out of range give INT64_MIN."""
    if math.isnan(x) or math.isinf(x) or not (-(2.0**63) <= x < 2.0**63):
        TAGS.add("f2i")
        return INT64_MIN
    return int(x)


def _round(x):
    if math.isnan(x) or math.isinf(x) or not (-(2.0**63) <= x < 2.0**63):
        TAGS.add("f2i")
        return INT64_MIN
    return round(x)


def _floor(x):
    return _f2i(math.floor(x)) if math.isfinite(x) else _f2i(x)


def _ceil(x):
    return _f2i(math.ceil(x)) if math.isfinite(x) else _f2i(x)


_NP = {
    "sqrt": np.sqrt, "exp": np.exp, "log": np.log, "log1p": np.log1p, "expm1": np.expm1,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "tanh": np.tanh, "atan2": np.arctan2,
    "fabs": np.fabs, "pow": np.power, "cbrt": np.cbrt, "exp2": np.exp2, "log2": np.log2,
    "log10": np.log10, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh,
    "cosh": np.cosh, "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh,
    "hypot": np.hypot, "copysign": np.copysign, "degrees": np.degrees, "radians": np.radians,
}
# math.gamma, math.lgamma and math.hypot: CPython has its own implementations (gamma a few
# ulps, hypot up to one from the C library's), ferrojit calls libm's tgamma/lgamma/hypot as
# Numba does; the reference calls libm too.
_LIBM = ctypes.CDLL(ctypes.util.find_library("m"))
for _fn, _arity in (("tgamma", 1), ("lgamma", 1), ("hypot", 2)):
    getattr(_LIBM, _fn).restype = ctypes.c_double
    getattr(_LIBM, _fn).argtypes = [ctypes.c_double] * _arity


def _math(name, *args):
    """math.<name>: CPython's value, IEEE's (NumPy's) where CPython raises a domain/range error."""
    args = [float(a) for a in args]
    if name == "copysign" and math.isnan(args[1]):
        raise Undefined("the sign of a NaN")  # which NaN an operation gives is unspecified
    if name in ("gamma", "lgamma", "hypot"):
        return getattr(_LIBM, "tgamma" if name == "gamma" else name)(*args)
    try:
        return getattr(math, name)(*args)
    except (ValueError, OverflowError):
        with np.errstate(all="ignore"):
            return float(_NP[name](*args))


def _np(name, *args):
    """np.<name> on scalars, as a Python float or bool."""
    with np.errstate(all="ignore"):
        r = getattr(np, name)(*[np.float64(a) for a in args])
    return bool(r) if isinstance(r, np.bool_) else float(r)


def _check_index(options, a, idx):
    """With boundscheck=False an index out of range, with wraparound=False a negative one, has
    no specified result."""
    for i, n in zip(idx, a.shape):
        if abs(i) > 2**31:
            TAGS.add("bigidx")
        if options == "boundscheck=False" and not -n <= i < n:
            raise Undefined("index out of range without bounds checks")
        if options == "wraparound=False" and i < 0:
            raise Undefined("negative index without wraparound")


def _at(options, a, axis, i):
    """The integer index i of a's axis, checked as the options say (see _check_index)."""
    _check_index(options, np.broadcast_to(0, a.shape[axis:axis + 1]), (i,))
    return i


def _scalar(v):
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    return float(v)


def _py(v):
    """A NumPy scalar result as the Python number the generated program computes with."""
    return _scalar(v) if isinstance(v, np.generic) else v


def _ld(options, a, *idx):
    """a[idx] as a Python scalar (the @jit side converts small dtypes with int()/float())."""
    _check_index(options, a, idx)
    return _scalar(a[idx])


def _st(options, v, a, *idx):
    """a[idx] = v with NumPy's casting (ints wrap to the dtype, float32 rounds)."""
    _check_index(options, a, idx)
    if a.dtype.kind in "iu":
        v = np.array(v, dtype=np.int64).astype(a.dtype)
    elif a.dtype.kind == "f":
        v = np.array(float(v)).astype(a.dtype)
    a[idx] = v


def _alloc(fn, shape, dtype):
    """np.zeros/np.ones; a huge array (which may or may not fit in memory) leaves the case unspecified."""
    dims = shape if isinstance(shape, tuple) else (shape,)
    if all(d >= 0 for d in dims) and math.prod(dims) > 10**6:
        raise Undefined("huge allocation")
    return fn(shape, dtype=dtype)


def _cast(v, dtype):
    """The result of an operation computed in a small dtype: ints wrap, float32 rounds once
    (exact for + - * / of two float32 values, whose float64 result needs one rounding)."""
    if dtype == "float32":
        with np.errstate(over="ignore"):
            return float(np.float32(v))
    return int(np.array(v, dtype=np.int64).astype(dtype))


def _shape(options, a, k):
    """a.shape[k]: CPython's tuple indexing, whose checks the options remove too."""
    _check_index(options, np.empty(a.ndim), (k,))
    return a.shape[k]


def _np_errors(op, a, b, ty):
    """/ // % and float ** with error_model="numpy": IEEE inf/nan for floats and 0 for ints
    where CPython raises ZeroDivisionError; CPython's results otherwise."""
    if ty == "i":
        return 0 if b == 0 else _w(a // b if op == "//" else a % b)
    if op == "**":
        if a == 0.0 and b < 0.0:
            with np.errstate(all="ignore"):
                return float(np.power(np.float64(a), np.float64(b)))
        return _fpow(a, b)
    if b == 0:
        fn = {"/": np.true_divide, "//": np.floor_divide, "%": np.remainder}[op]
        with np.errstate(all="ignore"):
            return float(fn(np.float64(a), np.float64(b)))
    if op == "/":
        return _tdiv(a, b) if isinstance(a, int) and isinstance(b, int) else a / b
    return _ffloordiv(a, b) if op == "//" else a % b


def _view(options, a, idx):
    """a[idx] for a basic index (ints, slices, None, ...): NumPy's view, with the options'
    unspecified cases (an integer index out of range without bounds checks, a negative index
    or slice bound without wraparound)."""
    free = a.ndim - sum(1 for i in idx if i is not None and i is not Ellipsis)
    axis = 0
    for i in idx:
        if i is Ellipsis:
            axis += free
        elif isinstance(i, slice):
            if options == "wraparound=False" and any(b is not None and b < 0 for b in (i.start, i.stop)):
                raise Undefined("negative slice bound without wraparound")
            axis += 1
        elif i is not None:
            if axis < a.ndim:
                _check_index(options, np.broadcast_to(0, a.shape[axis:axis + 1]), (i,))
            axis += 1
    return a[idx]


def _setview(options, v, a, idx):
    """a[idx] = v: an array value as NumPy stores it (broadcast, cast, as if copied first when
    it overlaps); a scalar converted as into one element."""
    view = _view(options, a, idx)
    if isinstance(v, np.ndarray):
        if np.may_share_memory(view, v):
            # ferrojit's rule (docs/language.md): NumPy copies first too, except for some 1-d
            # targets whose element order then shows (a[..., -1] = a[1]).
            v = v.copy()
        with np.errstate(all="ignore"):
            view[...] = v
        return
    if a.dtype.kind in "iu":
        v = np.array(v, dtype=np.int64).astype(a.dtype)
    elif a.dtype.kind == "f":
        with np.errstate(over="ignore"):
            v = np.array(float(v)).astype(a.dtype)
    view[...] = v


def _reshape(a, shape):
    """ferrojit's reshape (docs/language.md): a view of a C-contiguous array, a C-ordered copy
    of any other (NumPy sometimes gives a view of those)."""
    return a.reshape(shape) if a.flags.c_contiguous else np.ascontiguousarray(a).reshape(shape)


def _sort_input(a):
    """np.sort/np.unique: NumPy leaves equal values in either order, so with both 0.0 and -0.0
    in a float array which comes first, and which np.unique keeps, is unspecified."""
    zeros = np.signbit(a[a == 0]) if a.dtype.kind == "f" else np.array([], bool)
    if zeros.any() and not zeros.all():
        raise Undefined("the order of 0.0 and -0.0")
    return a


def _copy(a):
    """ferrojit's copies (np.copy, np.array, astype, np.full_like) keep NumPy's order='K'."""
    return np.array(a)


def _astype(a, dtype):
    with np.errstate(all="ignore"):
        return a.astype(dtype)


def _full_like(a, v):
    with np.errstate(all="ignore"):
        return np.full_like(a, v)


def _concat(arrays, axis):
    """np.concatenate; a huge result leaves the case unspecified, as _alloc does. Concatenating
    an array with itself in a loop doubles it each time: left to run, both sides copy arrays of
    gigabytes until memory runs out, at speeds that differ (fuzz 116:473, 118:1734)."""
    r = np.concatenate(arrays, axis=axis)
    if r.size > 10**6:
        raise Undefined("huge allocation")
    return r


def _arange(*args):
    """np.arange; a huge one leaves the case unspecified, as _alloc does."""
    start, stop, step = (0, args[0], 1) if len(args) == 1 else (args + (1,))[:3]
    try:
        n = math.ceil((stop - start) / step)
    except (ZeroDivisionError, ValueError, OverflowError):
        n = 0
    if n > 10**6:
        raise Undefined("huge allocation")
    if n == 2**63:
        # NumPy's C conversion of 2.0**63 to intp is undefined behaviour (an empty array on
        # x86); ferrojit raises "Maximum allowed size exceeded".
        raise Undefined("arange length 2**63")
    return np.arange(*args)


def _items(it):
    """The items of an iterable (an array, a tuple, a range), counted against the budget; an
    element of a 1-d array as a Python scalar."""
    global _steps
    for x in it:
        _steps += 1
        if _steps > BUDGET:
            raise Undefined("iteration budget")
        yield _scalar(x) if isinstance(x, np.generic) else x


# ---------------------------------------------------------------- array expressions
_BIN = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide,
        "//": np.floor_divide, "%": np.remainder, "**": np.power, "<": np.less,
        "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "==": np.equal,
        "!=": np.not_equal, "&": np.bitwise_and, "|": np.bitwise_or, "^": np.bitwise_xor}
_SMALL = ("int8", "uint8", "bool")


def _S(v):
    """A non-literal number operand of an array expression or a NumPy function: an int64,
    float64 or bool value, not weak as a Python literal is (docs/language.md)."""
    if isinstance(v, (bool, np.bool_)):
        return np.bool_(v)
    if isinstance(v, int):
        return np.int64(v)
    if isinstance(v, float):
        return np.float64(v)
    return v


def _f32(v):
    if isinstance(v, np.ndarray) and v.dtype.name in _SMALL:
        return v.astype(np.float32)
    if isinstance(v, (np.generic, bool)) and np.asarray(v).dtype.name in _SMALL:
        return np.float32(v)
    return v


# NumPy's functions that ferrojit computes with the C library's (`log`, `logf`, ... through
# LLVM), element by element: NumPy's own SIMD loops may differ from those by an ulp, and
# docs/language.md promises neither's digits, so the reference calls libm as ferrojit does.
_LIBM_NAMES = {"cbrt": "cbrt", "exp": "exp", "exp2": "exp2", "expm1": "expm1", "log": "log",
               "log2": "log2", "log10": "log10", "log1p": "log1p", "sin": "sin", "cos": "cos",
               "tan": "tan", "arcsin": "asin", "arccos": "acos", "arctan": "atan", "sinh": "sinh",
               "cosh": "cosh", "tanh": "tanh", "arcsinh": "asinh", "arccosh": "acosh",
               "arctanh": "atanh", "arctan2": "atan2", "hypot": "hypot"}


def _libm(name, dtype, nargs):
    c = ctypes.c_float if dtype == np.float32 else ctypes.c_double
    fn = getattr(_LIBM, name + ("f" if dtype == np.float32 else ""))
    fn.restype = c
    fn.argtypes = [c] * nargs
    return fn


def _by_libm(name, r, args):
    """r (NumPy's result of np.<name>(*args)) recomputed element by element with libm."""
    fn = _libm(_LIBM_NAMES[name], r.dtype, len(args))
    if isinstance(r, np.generic):
        return r.dtype.type(fn(*[float(np.asarray(a).astype(r.dtype)) for a in args]))
    ins = [np.broadcast_to(np.asarray(a).astype(r.dtype), r.shape) for a in args]
    out = np.empty(r.shape, r.dtype)
    for idx in np.ndindex(r.shape):
        out[idx] = fn(*[float(a[idx]) for a in ins])
    return out


def _has_f16(r):
    return isinstance(r, (np.ndarray, np.generic)) and r.dtype == np.float16


def _ax(kind, name, *args):
    """An array expression node or a NumPy function, as NumPy computes it, except that a loop
    NumPy runs in float16 (float functions of int8, uint8, bool) runs in float32, and that an
    array result is a new C-ordered array (docs/language.md, Array expressions)."""
    if kind == "bin":
        fn = _BIN[name]
    elif kind == "neg":
        fn = np.negative
    elif kind == "~":
        fn = np.invert
    else:
        fn = getattr(np, name)
    if name == "copysign" and np.isnan(args[1]).any():
        raise Undefined("the sign of a NaN")  # which NaN an operation gives is unspecified
    with np.errstate(all="ignore"):
        r = fn(*args)
        if _has_f16(r):
            args = list(map(_f32, args))
            r = fn(*args)
        if kind == "uf" and name in _LIBM_NAMES and r.dtype.kind == "f":
            r = _by_libm(name, r, args)
    if isinstance(r, np.ndarray):
        return r[()] if r.ndim == 0 else np.ascontiguousarray(r)
    return r


def _bshape(*shapes):
    """The broadcast shape of one operation's operands, or NumPy's ValueError naming them."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        text = "".join("(" + ",".join(map(str, s)) + ("," if len(s) == 1 else "") + ") " for s in shapes)
        raise ValueError(f"operands could not be broadcast together with shapes {text}") from None


def _aug(op, view, v):
    """view op= v in place, with NumPy's same_kind casting, broadcasting and errors (an
    operand overlapping the target is read as if copied first, as NumPy does)."""
    with np.errstate(all="ignore"):
        _BIN[op](view, v, out=view, casting="same_kind")


def _fsum(vals):
    s = 0.0
    for v in vals:
        s += v
    return s


def _red(form, name, x, kw=()):
    """A reduction with keywords `kw` ((name, value) pairs: axis, keepdims, ddof, dtype), as
    docs/language.md's Reductions say: of the whole array (or a 1-d array's axis) as
    `_red_whole`; along an axis, each line so in C order into a new C-ordered array."""
    kw = dict(kw)
    axis = kw.pop("axis", None)
    keepdims = kw.pop("keepdims", False)
    if axis is None or x.ndim <= 1:
        v = _red_whole(form, name, x, **kw)
        return np.asarray(v).reshape((1,) * x.ndim) if keepdims else v
    axis %= x.ndim
    lines = np.moveaxis(x, axis, -1)
    dtype = np.asarray(_red_whole(form, name, np.ones(1, x.dtype), **kw)).dtype
    values = [_red_whole(form, name, lines[i], **kw) for i in np.ndindex(lines.shape[:-1])]
    out = np.array(values, dtype=dtype).reshape(lines.shape[:-1])
    return np.ascontiguousarray(np.expand_dims(out, axis) if keepdims else out)


def _red_whole(form, name, x, ddof=0, dtype=None):
    """A whole-array reduction: NumPy's (or Python's builtin for form "builtin", whose `sum`
    of an empty float array is the dtype's zero, as documented), except that
    float sums (sum, mean, std, var) and products are computed in float64 in C order and
    rounded once to a float32 result; `dtype=` converts the elements first, `ddof` divides
    the squared distances by max(n - ddof, 0)."""
    if form == "builtin":
        if name == "sum" and x.size == 0 and x.dtype.kind in "fc":
            return x.dtype.type(0)  # CPython's start value, the int 0: a static type can't follow
        with np.errstate(all="ignore"):
            return {"sum": sum, "min": min, "max": max}[name](x)
    if dtype is not None:
        # Converting element by element, as NumPy's reduction and ferrojit do: a
        # converted copy of a `(2**63 - 1, 0)` array would be too big to make.
        x = x.ravel() if x.size == 0 else x
        with np.errstate(all="ignore"):
            x = x.astype(dtype)
    if name in ("sum", "prod", "mean", "std", "var") and (x.dtype.kind == "f" or name in ("mean", "std", "var")):
        vals = [float(v) for v in x.ravel().tolist()]
        n = len(vals)
        if name == "sum":
            r = _fsum(vals)
        elif name == "prod":
            r = 1.0
            for v in vals:
                r *= v
        elif n == 0:
            r = math.nan
        else:
            m = _fsum(vals) / n
            if name != "mean":
                squares = _fsum([(v - m) * (v - m) for v in vals])
                freedom = max(n - ddof, 0)
                r = squares / freedom if freedom else math.inf if squares > 0 else math.nan
                if name == "std":
                    r = math.sqrt(r)
            else:
                r = m
        with np.errstate(over="ignore"):
            return np.float32(r) if x.dtype == np.float32 else np.float64(r)
    with np.errstate(all="ignore"):
        return getattr(np, name)(x, **({} if dtype is None else {"dtype": dtype}))
