"""Runs one program on both sides and compares: the work a fuzz worker process does.

A case is one call of the entry `f` with one set of arguments; a program runs a few cases
(one specialization, called repeatedly, as users do).
"""

import importlib.util
import math
import os
import struct
import sys
import warnings

import numpy as np

from . import ref
from .gen import INT_EDGES, FLOAT_EDGES
from .render import render

# Tags (set by ref.py) of open bugs, reported and not fixed yet (see docs/fuzzing.md): a
# discrepancy in a case carrying one is counted as known, not as a new finding. Remove a tag
# when its bug is fixed.
KNOWN_TAGS: set[str] = set()


# ---------------------------------------------------------------- arguments
def scalar(r, ty):
    if ty == "i":
        return r.choice(INT_EDGES) if r.random() < 0.4 else r.randint(-12, 12)
    if ty == "f":
        return r.choice(FLOAT_EDGES) if r.random() < 0.4 else r.randint(-40, 40) / 8
    return r.random() < 0.5


def array_spec(r, dtype, ndim, view, common=(3, 4)):
    """(dtype, shape, values, view): the same array can be built twice, once per side. Half the
    arrays take the shape common to a set of arguments (its last axes), so that array
    expressions of several arguments broadcast as often as not."""
    if r.random() < 0.5:
        shape = tuple(common[2 - ndim:])
    else:
        shape = tuple(r.randint(0, 6) if r.random() < 0.05 else r.randint(1, 6) for _ in range(ndim))
    base = shape[:-1] + (shape[-1] * 2,) if view == "step" else shape
    n = int(np.prod(base))
    if dtype == "bool":
        vals = [r.random() < 0.5 for _ in range(n)]
    elif dtype.startswith("float"):
        vals = [r.choice(FLOAT_EDGES) if r.random() < 0.2 else r.randint(-40, 40) / 4 for _ in range(n)]
    else:
        info = np.iinfo(dtype)
        vals = [r.choice([int(info.min), int(info.max), 0]) if r.random() < 0.1 else
                max(int(info.min), min(int(info.max), r.randint(-9, 9))) for _ in range(n)]
    return (dtype, base, vals, view)


def build(spec):
    a = build_view(spec[:4])
    if spec[4:] == (True,):
        a.flags.writeable = False
    return a


def build_view(spec):
    dtype, shape, vals, view = spec
    with np.errstate(over="ignore"):  # float edges beyond float32 become inf, as intended
        a = np.array(vals, dtype=dtype).reshape(shape)
    if view == "rev":
        return a[::-1]
    if view == "step":
        return a[..., ::2]
    if view == "t":
        return np.ascontiguousarray(a.T).T if a.ndim == 2 else a
    return a


def stored(body):
    """Names of the arrays a function body writes to by name."""
    out = set()
    for s in body:
        if s.op in ("store", "augstore"):
            out.add(s.name[0])
        out |= stored(s.body) | stored(s.orelse)
    return out


def written(func):
    """The array parameters of func that a write may reach (directly, or through a view, a
    rebinding, a row or a helper call: the generator tracks those)."""
    return stored(func.body) | func.writes


def positional(entry):
    """How many arguments case.call passes by position: entry.npos, never a keyword-only one."""
    return min([entry.npos] + [k for k, (n, _) in enumerate(entry.params) if n in entry.kwonly])


def call(fn, entry, args):
    """Calls fn as the generator chose: the first arguments by position, the others by
    keyword, leaving out those in entry.omit."""
    npos = positional(entry)
    kw = {n: a for (n, _), a in zip(entry.params[npos:], args[npos:]) if n not in entry.omit}
    return fn(*args[:npos], **kw)


def arg_specs(r, params, n, readonly_ok=frozenset()):
    """n sets of argument specs; arrays keep dtype, ndim and layout across sets (one specialization).
    Arrays named in readonly_ok (never written) are sometimes passed read-only."""
    views = {name: r.choice(["c", "c", "c", "rev", "step", "t"]) for name, _ in params}
    readonly = {name for name in sorted(readonly_ok) if r.random() < 0.3}  # sorted: hash-seed independent
    sets = []
    for _ in range(n):
        args = []
        common = tuple(r.randint(0, 6) if r.random() < 0.05 else r.randint(1, 6) for _ in range(2))
        for name, ty in params:
            if isinstance(ty, tuple) and ty[0] == "a":
                spec = array_spec(r, ty[1], ty[2], views[name], common)
                args.append(("array", spec + (name in readonly,)))
            elif isinstance(ty, tuple):
                args.append(("tuple", tuple(scalar(r, t) for t in ty[1])))
            else:
                args.append(("scalar", scalar(r, ty)))
        sets.append(args)
    return sets


def make_args(specs):
    return [build(v) if k == "array" else v for k, v in specs]


# ---------------------------------------------------------------- outcomes
def outcome(fn, args):
    try:
        return ("ok", fn(*args))
    except ref.Undefined:
        raise
    except Exception as e:
        return ("exc", type(e).__name__, str(e))


def same(x, y):
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)):
            return False
        if x.dtype != y.dtype or x.shape != y.shape or layout(x) != layout(y):
            return False
        if x.dtype.kind == "f":
            xn, yn = np.isnan(x), np.isnan(y)
            return bool(np.array_equal(xn, yn) and np.array_equal(x[~xn], y[~yn])
                        and np.array_equal(np.signbit(x[~xn]), np.signbit(y[~yn])))
        return bool(np.array_equal(x, y))
    if isinstance(x, tuple) or isinstance(y, tuple):
        return isinstance(x, tuple) and isinstance(y, tuple) and len(x) == len(y) and all(map(same, x, y))
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(y, np.generic):
        y = y.item()
    if type(x) is not type(y):
        return False
    if isinstance(x, float):
        return (math.isnan(x) and math.isnan(y)) or struct.pack("<d", x) == struct.pack("<d", y)
    return x == y


def layout(v):
    """Whether an array (or each array of a tuple) is C- and F-contiguous: ferrojit's new
    arrays follow NumPy's orders (docs/language.md), so a later reshape views or copies alike."""
    if isinstance(v, np.ndarray):
        return "C" * v.flags.c_contiguous + "F" * v.flags.f_contiguous or "-"
    if isinstance(v, tuple):
        return tuple(map(layout, v))
    return None


def show(v):
    if isinstance(v, np.ndarray):
        return f"np.array({v.tolist()!r}, dtype=np.{v.dtype})"
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return f"float({str(v)!r})"
    return repr(v)


def show_outcome(o):
    return f"returned {show(o[1])}" if o[0] == "ok" else f"raised {o[1]}: {o[2]}"


# ---------------------------------------------------------------- one program
def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run(prog, arg_sets, workdir, name):
    """Runs every case; returns a dict: status, and for a finding, what both sides did."""
    import ferrojit

    warnings.simplefilter("ignore")
    jit_src, ref_src = render(prog)
    path = os.path.join(workdir, name + ".py")
    with open(path, "w") as f:
        f.write(jit_src)
    ns = {k: getattr(ref, k) for k in dir(ref) if k.startswith("_") and not k.startswith("__")}
    ns.update(math=math, np=np)
    exec(compile(ref_src, "<reference>", "exec"), ns)
    try:
        jm = load_module(path, name)
        return run_cases(prog, arg_sets, ns, jm, ferrojit)
    finally:
        sys.modules.pop(name, None)
        os.remove(path)


def run_cases(prog, arg_sets, ns, jm, ferrojit):
    res = {"status": "ok", "cases": 0, "skipped": 0}
    for i, specs in enumerate(arg_sets):
        ref.reset()
        rargs = make_args(specs)
        try:
            ro = outcome(lambda *a: call(ns["f"], prog.entry, a), rargs)
        except ref.Undefined:
            res["skipped"] += 1
            continue
        tags = set(ref.TAGS) | prog.tags
        jargs = make_args(specs)
        live = ferrojit._native.live_buffers()
        try:
            jo = outcome_jit(lambda *a: call(jm.f, prog.entry, a), jargs, ferrojit)
        except ferrojit.CompileError as e:
            kind = "internal_error" if isinstance(e, ferrojit.InternalError) else "compile_error"
            return dict(res, status=kind, message=f"{type(e).__name__}: {e}", case=i)
        # Where memory runs out depends on what else the process holds (the reference and
        # ferrojit free old arrays at different moments): after the reference's MemoryError
        # only ferrojit's leaks are compared.
        out_of_memory = ro[:2] == ("exc", "MemoryError")
        res["skipped" if out_of_memory else "cases"] += 1
        diffs = [] if out_of_memory else compare(prog, ro, jo, rargs, jargs)
        sig = signature(ro, jo, diffs)
        # Every buffer the call made is freed once its result is dropped: one still alive is a
        # leak, one too few a double free (or a buffer freed while an argument's view used it).
        del jo
        now = ferrojit._native.live_buffers()
        if now != live:
            diffs.append(f"live buffers: {live} before the call, {now} after it and its result were dropped")
            sig += ("leak" if now > live else "over-free",)
        if diffs:
            known = sorted(tags & KNOWN_TAGS)
            return dict(res, status="known" if known else "wrong", case=i, diffs=diffs, tags=sorted(tags),
                        known=known, signature=sig)
    return res


def compare(prog, ro, jo, rargs, jargs):
    """How ferrojit's outcome and arguments after the call differ from the reference's."""
    diffs = []
    if ro[0] != jo[0] or (ro[0] == "ok" and not same(ro[1], jo[1])) or (ro[0] == "exc" and ro[1:] != jo[1:]):
        diffs.append(f"result: CPython {show_outcome(ro)}; ferrojit {show_outcome(jo)}")
        if ro[0] == jo[0] == "ok" and layout(ro[1]) != layout(jo[1]):
            diffs.append(f"contiguity (C, F, CF or -): CPython {layout(ro[1])}; ferrojit {layout(jo[1])}")
    for (pname, _), ra, ja in zip(prog.entry.params, rargs, jargs):
        if isinstance(ra, np.ndarray) and not same(ra, ja):
            diffs.append(f"array {pname} after the call: CPython {show(ra)}; ferrojit {show(ja)}")
    return diffs


def outcome_jit(fn, args, ferrojit):
    try:
        return ("ok", fn(*args))
    except ferrojit.CompileError:
        raise
    except Exception as e:
        return ("exc", type(e).__name__, str(e))


def signature(ro, jo, diffs):
    """What kind of discrepancy this is; the reducer keeps it while shrinking."""
    side = lambda o: "ok" if o[0] == "ok" else o[1]
    return (side(ro), side(jo), any(d.startswith("array") for d in diffs) and ro[0] == jo[0] == "ok")
