"""Random valid @jit programs as a small AST, rendered for ferrojit and for the reference.

Types: 'i' int64, 'f' float64, 'b' bool, ('t', (T, ...)) a tuple, ('a', dtype, ndim) an array.
Every local keeps one type (ferrojit gives a local the join of its values, docs/language.md), so
the two renderings agree on types; the reference rendering routes every operation whose
ferrojit rule differs from CPython through ref.py.
"""

import math
import random
import warnings
from dataclasses import dataclass, field

import numpy as np

INT_EDGES = [0, 1, -1, 2, -2, 3, 7, -7, 10, 63, 64, -64, 2**31 - 1, -(2**31), 2**32, 2**53 + 1,
             2**62, 2**63 - 1, -(2**63), -(2**63) + 1, 2**63 - 10**6, -(2**62)]
FLOAT_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-300, 5e-324, 1e308, -1e308, 2.0**53,
               2.0**63, -(2.0**63), 1e16, math.nan, math.inf, -math.inf, 0.1, 2.675]
DTYPES = ["float64", "float32", "int64", "int32", "int8", "uint8", "bool"]
MATH1 = ["sqrt", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "tanh", "fabs", "erf", "cbrt",
         "exp2", "log2", "log10", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
         "erfc", "gamma", "lgamma", "degrees", "radians"]
MATH2 = ["atan2", "pow", "hypot", "copysign"]
# NumPy functions of docs/language.md's table, on arrays and numbers (array expressions).
UF1 = ["sqrt", "cbrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
       "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "fabs",
       "rint", "floor", "ceil", "trunc", "isnan", "isinf", "isfinite", "square", "negative", "sign",
       "reciprocal", "degrees", "radians", "abs"]
UF2 = ["minimum", "maximum", "fmin", "fmax", "arctan2", "hypot", "copysign"]
# NumPy's operator ufuncs as functions (each is its operator's node) and the logical ones, in
# array expressions only: on two numbers they follow the operators' number rules, not NumPy's
# (docs/language.md).
UF_OPS = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "true_divide": "/",
          "floor_divide": "//", "remainder": "%", "mod": "%", "power": "**", "equal": "==",
          "not_equal": "!=", "less": "<", "less_equal": "<=", "greater": ">", "greater_equal": ">=",
          "bitwise_and": "&", "bitwise_or": "|", "bitwise_xor": "^"}
UF2_ARRAY = list(UF_OPS) + ["logical_and", "logical_or", "logical_xor"]
UF1_ARRAY = ["logical_not", "invert", "conjugate"]
CMPS = ["<", "<=", ">", ">=", "==", "!="]
# Whole-array reductions giving each scalar type (others are converted with int()/float()).
REDUCTIONS = {"i": ["argmin", "argmax", "sum", "prod", "min", "max"],
              "f": ["sum", "prod", "mean", "std", "var", "min", "max"], "b": ["any", "all"]}
# Reductions of array expressions along an axis, and the NumPy keywords ferrojit takes
# (docs/language.md, Reductions): dtype= where NumPy's function has it, ddof= of moments.
AXIS_REDUCTIONS = ["sum", "prod", "mean", "std", "var", "min", "max", "argmin", "argmax", "any", "all"]
RED_DTYPE = {"sum", "prod", "mean", "std", "var"}
RED_DDOF = {"std", "var"}
# Weak literals of array expressions: they fit every dtype (a literal out of an integer dtype's
# range is a compile error, as NumPy 2 raises OverflowError).
AX_CONSTS = {"i": [0, 1, 2, 3], "f": [0.0, -0.0, 0.5, -2.5, 3.0, math.nan, math.inf, -math.inf, 1e-300],
             "b": [False, True]}
NP1 = ["sqrt", "fabs", "abs"]
# NumPy's same_kind order (bool < unsigned < signed < float): an array stored into a slice
# may only go up it (docs/language.md, slice assignment; going down is a compile error).
RANK = {"bool": 0, "uint8": 1, "int8": 2, "int16": 2, "int32": 2, "int64": 2, "float32": 3, "float64": 3}
# Dtypes whose elements are the generator's int64/float64/bool scalars: `for x in a` over a
# 1-d array of one of these gives a local of the generator's types (an int8 item would compute
# in int8).
ITER_DTYPES = ["float64", "int64", "bool"]
# Array expressions whose result is a new array, never a view: writing to it changes no argument.
FRESH = {"copy", "alloc", "npcopy", "astype", "flatten", "arange", "linspace", "eye", "identity",
         "full_like", "nparray", "ax", "red", "zeros_like", "sort", "unique", "concat", "fancy"}


INT_RANGES = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-(2**15), 2**15 - 1), "int32": (-(2**31), 2**31 - 1)}


def is_array(ty):
    return isinstance(ty, tuple) and ty[0] == "a"


def has_array(ty):
    return is_array(ty) or (isinstance(ty, tuple) and ty[0] == "t" and any(map(has_array, ty[1])))


def is_literal(e):
    """An expression of literals only: ferrojit treats it as a weak Python scalar."""
    return e.op == "const" or (e.op not in ("var", "load", "rawload", "tindex", "attr", "shapev", "len", "shape", "call",
                                            "ax", "red")
                               and all(is_literal(k) for k in e.kids))


def kind(dtype):
    return "b" if dtype == "bool" else "f" if dtype.startswith("float") else "i"


@dataclass
class Options:
    max_helpers: int = 2
    max_stmts: int = 6
    max_depth: int = 3
    # How often a program uses arrays as values (views, slice stores, iteration, creation
    # functions, arrays crossing calls, rebinding); 0 gives the scalar-and-element programs only.
    arrays: float = 0.5
    # How often array expressions, NumPy functions, reductions, augmented assignments of arrays
    # and `out=None` helpers appear.
    exprs: float = 0.5


@dataclass
class E:
    """An expression: op, type, children, value (a constant, name, or function name)."""
    op: str
    ty: object
    kids: list = field(default_factory=list)
    val: object = None


@dataclass
class S:
    """A statement: op, expressions, name(s), nested blocks."""
    op: str
    exprs: list = field(default_factory=list)
    name: object = None
    body: list = field(default_factory=list)
    orelse: list = field(default_factory=list)


@dataclass
class Func:
    name: str
    params: list  # [(name, type)]
    ret: object
    body: list
    # Options of its @jit: "", "boundscheck=False" / "wraparound=False" (the reference leaves
    # a case that indexes out of range, or negatively, unspecified), "error_model='numpy'".
    # Each function has its own: a callee's options apply to its own body.
    options: str = ""
    defaults: dict = field(default_factory=dict)  # parameter -> its default (a constant E)
    kwonly: set = field(default_factory=set)  # keyword-only parameters (after `*`)
    # The entry's array parameters a write may reach (through a view, a rebinding, a row, a
    # helper call): the others are passed read-only now and then.
    writes: set = field(default_factory=set)
    # How case.py calls the entry: the first `npos` arguments by position, the others by
    # keyword, except those in `omit` (which have defaults).
    npos: int = 10**9
    omit: set = field(default_factory=set)


@dataclass
class Program:
    funcs: list  # helpers first, entry ("f") last
    tags: set = field(default_factory=set)

    @property
    def entry(self):
        return self.funcs[-1]


class Scope:
    def __init__(self, params):
        self.types = dict(params)
        self.defined = set(self.types)
        self.loop = 0
        self.loopvars = []
        self.axes = {}  # loop variable -> (array, axis) whose range it runs over
        self.frozen = set()  # never assigned (a recursion counter)
        self.n = 0
        # local -> the locals whose arrays were assigned to it (a view, a rebinding, a row,
        # a call's result): ferrojit types a local once (readonly included), so this is
        # flow-insensitive, and so is what a write reaches (written: the locals written to).
        self.flows = {}
        self.written = set()

    def fresh(self, ty):
        name = f"v{self.n}"
        self.n += 1
        self.types[name] = ty
        return name


class Gen:
    def __init__(self, rng, opts=None):
        self.r = rng
        self.o = opts or Options()
        self.funcs = []
        self.tags = set()

    # ---------------------------------------------------------------- program
    def program(self):
        r = self.r
        for k in range(r.randint(0, self.o.max_helpers)):
            params = [(f"p{j}", r.choice("iifb")) for j in range(r.randint(1, 3))]
            rets = ["i", "f", "b", ("t", ("i", "f")), "i", "f"]
            if r.random() < self.o.arrays:
                # arrays in, arrays (or tuples holding them) out: views and new arrays cross calls
                for j in range(r.randint(1, 2)):
                    params.append((f"a{j}", self.array_type()))
                if r.random() < 0.3:  # a tuple holding an array
                    params.append(("t0", ("t", (self.array_type(), r.choice("if")))))
                r.shuffle(params)
                t = r.choice([p[1] for p in params if is_array(p[1])] + [self.array_type()])
                rets += [t, t, ("t", (t, "i")), ("t", ("f", ("t", (t, self.array_type()))))]
            f = self.function(f"h{k}", params, r.choice(rets))
            self.add_defaults(f)
            self.funcs.append(f)
        if r.random() < 0.3:
            self.funcs.append(self.recursive("r0"))
        if r.random() < 0.4 * self.o.exprs:
            self.funcs.append(self.out_helper("o0"))
        params = [(f"p{j}", r.choice("iiffb")) for j in range(r.randint(1, 3))]
        for j in range(r.choices([0, 1, 2], [1, 3, 2])[0]):
            params.append((f"a{j}", ("a", r.choice(DTYPES), r.choice([1, 1, 2]))))
        if r.random() < 0.15:
            params.append(("t0", ("t", (r.choice("if"), r.choice("if")))))
        r.shuffle(params)
        rets = ["i", "f", "b", ("t", ("i", "f")), ("t", ("f", "i", "b"))]
        if r.random() < self.o.arrays:
            t = self.array_type()
            rets = [t, ("t", (t, "i")), ("t", (t, ("t", ("f", self.array_type()))))]
        entry = self.function("f", params, r.choice(rets))
        self.add_defaults(entry)
        if r.random() < 0.3:
            # called from Python with keywords and defaults (case.py binds them so)
            entry.npos = r.randint(0, len(params))
            entry.omit = {n for n in entry.defaults if r.random() < 0.5}
        self.funcs.append(entry)
        for f in self.funcs:
            f.options = r.choices(["", "boundscheck=False", "wraparound=False", "error_model='numpy'"],
                                  [12, 1, 1, 2])[0]
        return Program(self.funcs, self.tags)

    def function(self, name, params, ret):
        sc = Scope(params)
        self.ret = ret
        body = self.block(sc, 0, self.r.randint(1, self.o.max_stmts))
        body.append(S("return", [self.value(sc, ret, 0)]))
        return Func(name, params, ret, body, writes=self.reached(sc, params))

    def reached(self, sc, params):
        """The array parameters a write may reach: those flowing into a local written to."""
        roots = {n: {n} for n, t in params if has_array(t)}
        changed = True
        while changed:
            changed = False
            for dst, srcs in sc.flows.items():
                new = set().union(*(roots.get(n, set()) for n in srcs))
                if not new <= roots.get(dst, set()):
                    roots[dst] = roots.get(dst, set()) | new
                    changed = True
        return set().union(*(roots.get(n, set()) for n in sc.written))

    def add_defaults(self, f):
        """Defaults for some trailing scalar parameters, and sometimes keyword-only ones."""
        r = self.r
        if r.random() < 0.4:
            for name, ty in reversed(f.params):
                if is_array(ty) or isinstance(ty, tuple) or r.random() < 0.3:
                    break
                # a literal number or bool (E0101: not math.nan, not an expression)
                f.defaults[name] = E("const", ty, [], {"i": self.r.randint(-9, 9), "b": self.r.random() < 0.5,
                                                      "f": self.r.choice([0.0, -0.0, 1.5, -2.5, 1e-300, 1e308])}[ty])
        if r.random() < 0.2:
            f.kwonly = {n for n, _ in f.params[-r.randint(1, 2):]}

    def recursive(self, name):
        """A recursive helper whose first parameter, at most 8 at every call, counts down."""
        r = self.r
        params = [("p0", "i"), ("p1", r.choice("if"))]
        ret = r.choice("if")
        sc = Scope(params)
        sc.frozen.add("p0")
        self.ret = ret
        base = S("if", [E("cmp", "b", [E("var", "i", [], "p0"), E("const", "i", [], 0)], ["<="])], None,
                 [S("return", [self.expr(sc, ret, 1)])])
        body = [base] + self.block(sc, 1, r.randint(0, 3))
        me = Func(name, params, ret, [])
        down = E("-", "i", [E("var", "i", [], "p0"), E("const", "i", [], 1)])
        rec = E("call", ret, [down, self.expr(sc, params[1][1], 1)], name)
        body.append(S("return", [E(r.choice(["+", "-", "*"]), ret, [rec, self.expr(sc, ret, 1)])]))
        me.body = body
        return me

    def value(self, sc, ty, d):
        if isinstance(ty, tuple) and ty[0] == "t":
            return E("tuple", ty, [self.expr(sc, t, d) for t in ty[1]])
        return self.expr(sc, ty, d)

    # ---------------------------------------------------------------- statements
    def block(self, sc, depth, n):
        out = []
        for _ in range(n):
            out.append(self.stmt(sc, depth))
            if out[-1].op in ("return", "raise", "break", "continue"):
                break
        return out

    def arrays(self, sc):
        return [(n, t) for n, t in sc.types.items() if isinstance(t, tuple) and t[0] == "a" and n in sc.defined]

    def stmt(self, sc, depth):
        r = self.r
        choices = ["assign", "assign", "aug", "store", "unpack", "alloc"]
        if self.arrays(sc) and self.r.random() < self.o.arrays:
            choices += ["view", "view", "setslice", "setslice", "rebind", "create"]
            if self.r.random() < self.o.exprs:
                choices += ["axcreate", "augarr", "augarr", "setfancy"]
            if depth < self.o.max_depth:
                choices += ["foreach", "foreach"]
        if depth < self.o.max_depth:
            choices += ["if", "if", "for", "for", "while"]
        if sc.loop:
            choices += ["break", "continue"]
        choices += ["return", "raise", "assert"] if depth > 0 else []
        op = r.choice(choices)
        if op == "assign":
            names = [n for n, t in sc.types.items() if t in ("i", "f", "b") and n in sc.defined - sc.frozen]
            if names and r.random() < 0.5:
                name = r.choice(names)
            else:
                name = sc.fresh(r.choice("iifb"))
            e = self.expr(sc, sc.types[name], 0)
            sc.defined.add(name)
            return S("assign", [e], name)
        if op == "aug":
            names = [n for n, t in sc.types.items() if t in ("i", "f") and n in sc.defined - sc.frozen]
            if not names:
                return self.stmt(sc, depth)
            name = r.choice(names)
            ty = sc.types[name]
            bop = r.choice(["+", "-", "*", "//", "%", "**", "<<", ">>", "&", "|", "^"] if ty == "i"
                           else ["+", "-", "*", "/", "//", "%", "**"])
            rty = "i" if ty == "i" or r.random() < 0.3 else "f"
            rhs = self.expr(sc, rty, 1)
            if bop == "**" and r.random() < 0.8:
                rhs = E("const", rty, [], r.choice([0, 1, 2, 3]) if rty == "i" else r.choice([0.5, 2.0, -1.0]))
            return S("aug", [rhs], (name, bop, ty, rty))
        if op == "store":
            arrs = self.arrays(sc)
            if not arrs:
                return self.stmt(sc, depth)
            name, (_, dt, nd) = r.choice(arrs)
            idx = [self.index(sc, name, k) for k in range(nd)]
            sc.written.add(name)
            k = kind(dt)
            if r.random() < 0.4 and k != "b":
                ops = ["+", "-", "*"] + (["&", "|", "^"] if k == "i" else [])
                if dt in ("float64", "int64"):
                    ops += ["//", "%"] + (["/", "**"] if k == "f" else [])
                bop = r.choice(ops)
                rhs = self.expr(sc, k, 1)
                if dt not in ("float64", "int64") and is_literal(rhs):
                    # A literal would be weak (the operation would run in the array's own
                    # dtype, and one out of its range is a compile error, as in NumPy 2).
                    rhs = self.nonliteral(sc, k)
                    if rhs is None:
                        return self.stmt(sc, depth)
                return S("augstore", [rhs] + idx, (name, bop, dt))
            vty = "f" if k == "f" and r.random() < 0.8 else ("i" if k != "b" else "b")
            if dt == "float32":
                vty = "f"
            value = self.expr(sc, vty, 1)
            if k == "i" and dt != "int64" and is_literal(value):
                # Storing a Python int out of the dtype's range raises OverflowError in NumPy 2
                # and is a compile error (E0235) in ferrojit: store one in range.
                info = INT_RANGES[dt]
                value = E("const", "i", [], max(info[0], min(info[1], r.randint(-9, 9))))
            return S("store", [value] + idx, (name, dt))
        if op == "alloc":
            arrs = self.arrays(sc)
            if arrs and r.random() < 0.3:
                src, t = r.choice(arrs)
                name = sc.fresh(("a", t[1], t[2]))
                sc.defined.add(name)
                return S("assign", [E("copy", sc.types[name], [], src)], name)
            nd = r.choice([1, 1, 2])
            dt = r.choice(DTYPES)
            shape = [self.small_size(sc) for _ in range(nd)]
            name = sc.fresh(("a", dt, nd))
            sc.defined.add(name)
            return S("assign", [E("alloc", sc.types[name], shape, (r.choice(["zeros", "ones"]), dt))], name)
        if op in ("view", "setslice", "rebind", "create", "foreach", "axcreate", "augarr", "setfancy"):
            return getattr(self, op)(sc, depth)
        if op == "unpack":
            helpers = [f for f in self.funcs if isinstance(f.ret, tuple) and f.ret[0] == "t"]
            if helpers and r.random() < 0.5:
                h = r.choice(helpers)
                call = self.call(sc, h, 1)
                names = [sc.fresh(t) for t in h.ret[1]]
                sc.defined.update(names)
                for n in names:
                    self.bind(sc, n, call)
                return S("unpack", [call], names)
            tys = [r.choice("if") for _ in range(2)]
            es = [self.expr(sc, t, 1) for t in tys]
            names = [sc.fresh(t) for t in tys]
            sc.defined.update(names)
            return S("unpack", [E("tuple", ("t", tuple(tys)), es)], names)
        if op == "if":
            cond = self.expr(sc, "b", 0)
            before = set(sc.defined)
            body = self.block(sc, depth + 1, r.randint(1, 3))
            after_body = sc.defined
            sc.defined = set(before)
            orelse = self.block(sc, depth + 1, r.randint(1, 2)) if r.random() < 0.6 else []
            sc.defined = after_body & sc.defined
            self.maybe_unbound(sc, before, after_body)
            return S("if", [cond], None, body, orelse)
        if op == "for":
            var = sc.fresh("i")
            start, stop, step = self.range_args(sc)
            over = stop.val if stop.op in ("len", "shape") else start.kids[0].val if start.op == "-" and start.kids[0].op in ("len", "shape") else None
            if over is not None:
                sc.axes[var] = (over, 0) if isinstance(over, str) else over
            before = set(sc.defined)
            sc.defined.add(var)
            sc.loop += 1
            sc.loopvars.append(var)
            body = self.block(sc, depth + 1, r.randint(1, 4))
            sc.loopvars.pop()
            sc.loop -= 1
            after = sc.defined
            sc.defined = before
            self.maybe_unbound(sc, before, after)
            return S("for", [start, stop, step], var, body)
        if op == "while":
            ctr = sc.fresh("i")
            sc.defined.add(ctr)
            cond = self.expr(sc, "b", 1)
            before = set(sc.defined)
            sc.loop += 1
            body = self.block(sc, depth + 1, r.randint(1, 3))
            sc.loop -= 1
            after = sc.defined
            sc.defined = before
            self.maybe_unbound(sc, before, after)
            return S("while", [cond, E("const", "i", [], r.randint(1, 12))], ctr, body)
        if op in ("break", "continue"):
            return S("if", [self.expr(sc, "b", 1)], None, [S(op)])
        if op == "return":
            return S("return", [self.value(sc, self.ret, 1)])
        if op == "raise":
            exc = r.choice(["ValueError", "RuntimeError", "IndexError", "ZeroDivisionError"])
            return S("if", [self.expr(sc, "b", 1)], None, [S("raise", [], (exc, f"boom {r.randint(0, 99)}"))])
        return S("assert", [self.expr(sc, "b", 1)], f"check {r.randint(0, 99)}")

    def maybe_unbound(self, sc, before, after):
        """Sometimes lets a local assigned on some paths only be read after them."""
        if self.r.random() < 0.3:
            # Sorted: a set's order changes with the hash seed, and a seed must name one program.
            extra = [n for n in sorted(after - sc.defined) if sc.types[n] in ("i", "f", "b")]
            if extra:
                sc.defined.add(self.r.choice(extra))
                self.tags.add("unbound")

    def range_args(self, sc):
        r = self.r
        step = E("const", "i", [], r.choice([1, 1, 1, 2, 3, -1, -1, -2]))
        if r.random() < 0.1:
            step = self.expr(sc, "i", 2)
            if is_literal(step):
                step = E("const", "i", [], r.choice([1, -1]))
        if r.random() < 0.5:
            arrs = self.arrays(sc)
            if arrs:
                name, t = r.choice(arrs)
                n = E("len", "i", [], name) if t[2] == 1 or r.random() < 0.5 else E("shape", "i", [], (name, 1))
                if step.op == "const" and step.val < 0:
                    return E("-", "i", [n, E("const", "i", [], 1)]), E("const", "i", [], -1), step
                return E("const", "i", [], 0), n, step
        return self.small(sc), self.small(sc), step

    def small_size(self, sc):
        r = self.r
        arrs = self.arrays(sc)
        if arrs and r.random() < 0.3:
            return E("len", "i", [], r.choice(arrs)[0])
        if r.random() < 0.9:
            return E("const", "i", [], r.choice([0, 1, 2, 3, 4, 5, -1]))
        return self.expr(sc, "i", 2)

    def small(self, sc):
        r = self.r
        c = r.random()
        if c < 0.5:
            return E("const", "i", [], r.randint(-4, 12))
        return self.expr(sc, "i", 2)

    def index(self, sc, arr, axis):
        """Mostly in range (so that programs run on), sometimes anything."""
        r = self.r
        mine = [v for v in sc.loopvars if sc.axes.get(v) == (arr, axis)]
        c = r.random()
        if mine and c < 0.6:
            v = E("var", "i", [], r.choice(mine))
            if r.random() < 0.3:
                # The shape loop versioning and the range analysis reason about; an offset
                # variable near +-2**63 is the (tagged) index overflow bug.
                ints = [n for n in self.vars(sc, "i") if n not in sc.loopvars]
                off = (E("var", "i", [], r.choice(ints)) if ints and r.random() < 0.5
                       else E("const", "i", [], r.randint(-2, 2)))
                return E(r.choice(["+", "-"]), "i", [v, off])
            return v
        if c < 0.75:
            return E("const", "i", [], r.choice([0, 0, -1, 1, -1, -2]))
        ln = E("len", "i", [], arr) if axis == 0 else E("shape", "i", [], (arr, axis))
        if c < 0.85:
            return E("-", "i", [ln, E("const", "i", [], r.choice([1, 1, 2, 0]))])
        if sc.loopvars and c < 0.92:
            v = E("var", "i", [], r.choice(sc.loopvars))
            if r.random() < 0.3:
                return E(r.choice(["+", "-"]), "i", [v, E("const", "i", [], r.randint(-3, 3))])
            return v
        if c < 0.96:
            return E("const", "i", [], r.randint(-7, 7))
        return self.expr(sc, "i", 2)

    # ---------------------------------------------------------------- expressions
    def vars(self, sc, ty):
        return [n for n, t in sc.types.items() if t == ty and n in sc.defined]

    def const(self, ty):
        r = self.r
        if ty == "i":
            return E("const", "i", [], r.choice(INT_EDGES) if r.random() < 0.3 else r.randint(-9, 9))
        if ty == "f":
            return E("const", "f", [], r.choice(FLOAT_EDGES) if r.random() < 0.5 else r.randint(-20, 20) / 4)
        return E("const", "b", [], r.random() < 0.5)

    def leaf(self, sc, ty):
        r = self.r
        vs = self.vars(sc, ty)
        c = r.random()
        if vs and c < 0.55:
            return E("var", ty, [], r.choice(vs))
        tup = [(n, t) for n, t in sc.types.items() if isinstance(t, tuple) and t[0] == "t"]
        tup = [(n, k, t) for n, tt in tup for k, t in enumerate(tt[1]) if t == ty]
        if tup and c < 0.65:
            n, k, _ = r.choice(tup)
            return E("tindex", ty, [], (n, k - len(sc.types[n][1]) if r.random() < 0.3 else k))
        arrs = [(n, t) for n, t in self.arrays(sc) if kind(t[1]) == ty]
        if arrs and c < 0.8:
            n, t = r.choice(arrs)
            return E("load", ty, [self.index(sc, n, k) for k in range(t[2])], (n, t[1]))
        if ty == "i" and c < 0.85 and self.arrays(sc):
            n, t = r.choice(self.arrays(sc))
            c = r.random()
            if c < 0.15:
                return E("attr", "i", [], (n, r.choice(["size", "ndim"])))
            if c < 0.25:
                # a.shape[k] with k known at run time only: CPython's tuple index rules (a
                # constant k out of range is a compile error, E0214)
                k = self.nonliteral(sc, "i")
                if k is not None:
                    return E("shapev", "i", [k], n)
            return E("len", "i", [], n) if t[2] == 1 else E("shape", "i", [], (n, r.randrange(2)))
        return self.const(ty)

    def expr(self, sc, ty, d):
        r = self.r
        if is_array(ty):
            return self.aexpr(sc, ty, d)
        if isinstance(ty, tuple):
            return self.value(sc, ty, d)
        if d >= self.o.max_depth or r.random() < 0.3:
            return self.leaf(sc, ty)
        d += 1
        if r.random() < 0.2 * self.o.exprs:
            e = self.scalar_fn(sc, ty, d)
            if e is not None:
                return e
        if ty == "i":
            c = r.randrange(12)
            if c < 5:
                op = r.choice(["+", "-", "*", "+", "-", "*", "//", "%", "**", "<<", ">>", "&", "|", "^"])
                rhs = self.expr(sc, "i", d)
                if op == "**" and r.random() < 0.8:
                    rhs = E("const", "i", [], r.randint(-1, 5))
                if op in ("<<", ">>") and r.random() < 0.8:
                    rhs = (E("const", "i", [], r.randint(0, 66)) if r.random() < 0.5
                           else E("&", "i", [rhs, E("const", "i", [], 63)]))
                return E(op, "i", [self.expr(sc, "i", d), rhs])
            if c == 5:
                return E(r.choice(["neg", "~", "abs"]), "i", [self.expr(sc, "i", d)])
            if c == 6:
                return E(r.choice(["int", "round", "floor", "ceil"]), "i", [self.expr(sc, "f", d)])
            if c == 7:
                return E(r.choice(["min", "max"]), "i", [self.expr(sc, "i", d) for _ in range(r.randint(2, 3))])
            if c == 8:
                return E("ifexp", "i", [self.expr(sc, "b", d), self.expr(sc, "i", d), self.expr(sc, "i", d)])
            if c == 9:
                return (self.helper_call(sc, "i", d) or self.elemop(sc, "i")
                        or E("int", "i", [self.expr(sc, "b", d)]))
            if c == 11 and r.random() < 0.5:
                return self.elemop(sc, "i") or self.leaf(sc, "i")
            if c == 11:
                x = self.nonliteral(sc, "i")
                if x is not None:
                    return E("npcast", "i", [x], r.choice(["int8", "uint8", "int16", "int32", "uint32", "int64"]))
            if c == 10:
                return E(r.choice(["and", "or"]), "i", [self.expr(sc, "i", d), self.expr(sc, "i", d)])
            return self.leaf(sc, "i")
        if ty == "f":
            c = r.randrange(12)
            if c < 5:
                op = r.choice(["+", "-", "*", "/", "//", "%", "**", "+", "*", "/"])
                lt, rt = r.choice([("f", "f"), ("f", "f"), ("f", "i"), ("i", "f"), ("i", "i")])
                if lt == rt == "i" and op != "/":
                    lt = "f"
                return E(op, "f", [self.expr(sc, lt, d), self.expr(sc, rt, d)])
            if c == 5:
                return E(r.choice(["neg", "abs"]), "f", [self.expr(sc, "f", d)])
            if c == 6:
                fn = r.choice(MATH1 + MATH2)
                n = 2 if fn in MATH2 else 1
                return E("math", "f", [self.expr(sc, "f", d) for _ in range(n)], fn)
            if c == 7:
                if r.random() < 0.5:
                    return E("np", "f", [self.expr(sc, "f", d)], r.choice(NP1))
                return E("float", "f", [self.expr(sc, r.choice("ib"), d)])
            if c == 8:
                return E("ifexp", "f", [self.expr(sc, "b", d), self.expr(sc, "f", d), self.expr(sc, "f", d)])
            if c == 9:
                return self.helper_call(sc, "f", d) or E(r.choice(["min", "max"]), "f",
                                                          [self.expr(sc, "f", d), self.expr(sc, "f", d)])
            if c == 11 and r.random() < 0.5:
                return self.elemop(sc, "f") or self.leaf(sc, "f")
            if c == 11:
                x = self.nonliteral(sc, "f")
                if x is not None:
                    return E("npcast", "f", [x], "float32")
            if c == 10:
                self.tags.add("round_n")
                return E("round2", "f", [self.expr(sc, "f", d), E("const", "i", [], r.randint(-2, 3))])
            return self.leaf(sc, "f")
        c = r.randrange(8)
        if c < 3:
            t = r.choice("iif")
            n = r.choice([1, 1, 1, 2])
            ops = [r.choice(["<", "<=", ">", ">=", "==", "!="]) for _ in range(n)]
            kids = [self.expr(sc, t, d) for _ in range(n + 1)]
            if r.random() < 0.1:
                kids[0] = self.expr(sc, "f" if t == "i" else "i", d)
                self.tags.add("intfloat_cmp")
            return E("cmp", "b", kids, ops)
        if c == 3:
            return E(r.choice(["and", "or"]), "b", [self.expr(sc, "b", d) for _ in range(r.randint(2, 3))])
        if c == 4:
            return E("not", "b", [self.expr(sc, r.choice("bbi"), d)])
        if c == 5:
            return E("np" if r.random() < 0.5 else "math", "b", [self.expr(sc, "f", d)], r.choice(["isnan", "isinf"]))
        if c == 6:
            return self.helper_call(sc, "b", d) or E("bool", "b", [self.expr(sc, "i", d)])
        return self.leaf(sc, "b")

    def nonliteral(self, sc, ty):
        """A variable or array element of type ty, if one is in scope."""
        for _ in range(8):
            e = self.leaf(sc, ty)
            if not is_literal(e):
                return e
        return None

    def elemop(self, sc, ty):
        """Arithmetic in an array's own small dtype (NumPy 2 promotion: int8 + int8 -> int8,
        float32 * weak literal -> float32), converted to int64/float64 right after."""
        r = self.r
        small = [(n, t) for n, t in self.arrays(sc) if t[1] in ("int32", "int8", "uint8", "float32")
                 and kind(t[1]) == ty]
        if not small:
            return None
        n, t = r.choice(small)
        load = lambda: E("rawload", ty, [self.index(sc, n, k) for k in range(t[2])], (n, t[1]))
        if r.random() < 0.6:
            other = load()
        elif ty == "f":
            other = E("const", "f", [], r.randint(-12, 12) / 4)
        else:
            other = E("const", "i", [], r.randint(0 if t[1] == "uint8" else -3, 3))
        args = [load(), other] if r.random() < 0.7 else [other, load()]
        ops = ["+", "-", "*"] + (["/"] if ty == "f" else ["&", "|", "^"])
        return E("elemop", ty, args, (r.choice(ops), t[1]))

    def helper_call(self, sc, ty, d):
        hs = [f for f in self.funcs if f.ret == ty]
        if not hs:
            return None
        return self.call(sc, self.r.choice(hs), d)

    def call(self, sc, h, d):
        """A call of h: positional arguments, then (in any order) keyword ones, leaving out
        some that have defaults. val is the name, or (name, keys) with keys[k] the keyword of
        argument k (None: positional)."""
        r = self.r
        args = [E("none", None) if n == "out" and r.random() < 0.3 else self.expr(sc, t, d + 1)
                for n, t in h.params]
        if h.name.startswith("r"):
            args[0] = E("min", "i", [args[0], E("const", "i", [], 8)])
        for a, (_, t) in zip(args, h.params):
            if has_array(t):
                sc.written |= self.refs(a)  # the helper may write it
        if not (h.defaults or h.kwonly) and r.random() < 0.8:
            return E("call", h.ret, args, h.name)
        npos = r.randint(0, len(args))
        pos, kw = [], []
        for k, ((name, _), a) in enumerate(zip(h.params, args)):
            if k < npos and name not in h.kwonly:  # keyword-only parameters are the last ones
                pos.append((None, a))
            elif name not in h.defaults or r.random() < 0.5:
                kw.append((name, a))
        r.shuffle(kw)
        return E("call", h.ret, [a for _, a in pos + kw], (h.name, [n for n, _ in pos + kw]))

    # ---------------------------------------------------------------- arrays as values
    def array_type(self):
        return ("a", self.r.choice(DTYPES), self.r.choice([1, 1, 2]))

    def refs(self, e):
        """The locals whose arrays the value of e may share memory with."""
        if e.op in FRESH:
            return set()
        out = {e.val} if e.op == "var" else {e.val[0]} if e.op == "tindex" else set()
        for k in e.kids:
            out |= self.refs(k)
        return out

    def bind(self, sc, name, e):
        sc.flows.setdefault(name, set()).update(self.refs(e))

    def aexpr(self, sc, ty, d):
        """An expression of array type ty: a local, a view, a tuple item, a call, a new array."""
        r = self.r
        _, dt, nd = ty
        c = r.random()
        same = [n for n, t in sc.types.items() if t == ty and n in sc.defined]
        if same and c < 0.35:
            return E("var", ty, [], r.choice(same))
        srcs = [(n, t) for n, t in self.arrays(sc) if t[1] == dt]
        if srcs and c < 0.65:
            n, t = r.choice(srcs)
            if r.random() < 0.15 * self.o.exprs:
                fancy = self.fancy_of(sc, n, t, nd)
                if fancy is not None:
                    return fancy
            return self.view_of(sc, E("var", t, [], n), nd)
        tup = [(n, k) for n, t in sc.types.items() if n in sc.defined and isinstance(t, tuple) and t[0] == "t"
               for k, it in enumerate(t[1]) if it == ty]
        if tup and c < 0.75:
            return E("tindex", ty, [], r.choice(tup))
        hs = [f for f in self.funcs if f.ret == ty]
        if hs and c < 0.85 and d < self.o.max_depth:
            return self.call(sc, r.choice(hs), d + 1)
        if r.random() < 0.5 * self.o.exprs and d < self.o.max_depth:
            e = self.ax_of_type(sc, ty, d)
            if e is not None:
                return e
        return self.new_array(sc, ty, d)

    # (ndim of the base, ndim of the view) -> the forms of view that give it: a string of index
    # items (s a slice, i an integer, n None, e an ellipsis) or a method/function.
    FORMS = {(1, 1): ["s", "s", "s", "e", "T", "flip", "ravel", "reshape", "asarray", "chain"],
             (1, 2): ["ns", "sn", "ne", "reshape"],
             (2, 1): ["i", "i", "is", "si", "ei", "ie", "ravel", "reshape", "chain"],
             (2, 2): ["s", "ss", "ss", "e", "se", "T", "transpose", "flip", "reshape", "asarray", "chain"]}

    def view_of(self, sc, src, nd, forms=None):
        """A view of src (an array expression) with nd axes; for a local, the indices often
        follow the loops over its axes."""
        r = self.r
        _, dt, snd = src.ty
        ty = ("a", dt, nd)
        form = r.choice(forms or self.FORMS[(snd, nd)])
        name = src.val if src.op == "var" else None
        if form == "chain":  # a view of a view
            mid = self.view_of(sc, src, snd, [f for f in self.FORMS[(snd, snd)] if f != "chain"])
            return self.view_of(sc, mid, nd, [f for f in self.FORMS[(snd, nd)] if f != "chain"])
        if form in ("T", "transpose", "ravel", "asarray"):
            return E(form, ty, [src])
        if form == "flip":
            return E("flip", ty, [src], r.choice([None, None, 0, -1] + ([1] if snd == 2 else [])))
        if form == "reshape":
            k = E("const", "i", [], r.choice([1, 2, 3, -1]))
            if nd == 1:
                dims = [E("const", "i", [], r.choice([-1, -1, -1, 0, 4, 6]))]
            elif snd == 2 and name and r.random() < 0.5:
                dims = [E("shape", "i", [], (name, 1)), E("shape", "i", [], (name, 0))]
            else:
                dims = r.choice([[k, E("const", "i", [], -1)], [E("const", "i", [], -1), k]])
            return E("reshape", ty, [src] + dims)
        items, kids, axis = [], [src], 0
        for c in form:
            if c == "i":
                ax = axis if form != "ei" else snd - 1
                kids.append(self.index(sc, name, ax) if name else self.small(sc))
                items.append(("i",))
                axis += 1
            elif c == "s":
                parts = self.slice_parts(sc, name, axis)
                kids += [p for p in parts if p is not None]
                items.append(("s",) + tuple(p is not None for p in parts))
                axis += 1
            else:
                items.append((c,))
        return E("view", ty, kids, tuple(items))

    def slice_parts(self, sc, name, axis):
        """start, stop, step (None where left out): often in range, also negative, past the
        ends, crossing (empty), or any int; a step of 0 now and then (ValueError)."""
        r = self.r

        def bound():
            c = r.random()
            if c < 0.35:
                return None
            if c < 0.75:
                return E("const", "i", [], r.randint(-8, 8))
            if c < 0.85 and name:
                n = E("len", "i", [], name) if axis == 0 else E("shape", "i", [], (name, axis))
                return E(r.choice(["+", "-"]), "i", [n, E("const", "i", [], r.randint(0, 3))])
            if sc.loopvars and c < 0.93:
                return E("var", "i", [], r.choice(sc.loopvars))
            return self.expr(sc, "i", 2)

        c = r.random()
        step = (None if c < 0.45 else E("const", "i", [], r.choice([1, 2, 3, -1, -1, -2, -3])) if c < 0.96
                else E("const", "i", [], 0) if c < 0.97 else self.expr(sc, "i", 2))
        return bound(), bound(), step

    def new_array(self, sc, ty, d):
        r = self.r
        _, dt, nd = ty
        same_nd = [(n, t) for n, t in self.arrays(sc) if t[2] == nd]
        conv = [(n, t) for n, t in same_nd if not (kind(t[1]) == "f" and kind(dt) == "i")]
        same = [(n, t) for n, t in same_nd if t[1] == dt]
        flat = [(n, t) for n, t in self.arrays(sc) if t[1] == dt and t[2] == 2]
        opts = ["alloc"] + ["astype"] * bool(conv) + ["npcopy", "full_like"] * bool(same)
        opts += ["flatten"] * bool(flat and nd == 1) + ["nparray"] * (dt in ITER_DTYPES)
        opts += ["sort", "concat"] * bool(same)
        any_nd = [(n, t) for n, t in self.arrays(sc) if t[1] == dt]
        opts += ["unique"] * bool(any_nd and nd == 1)
        if nd == 1:
            opts += ["arange"] * 2 * (dt in ("int64", "float64")) + ["linspace"] * (dt == "float64")
        else:
            opts += ["eye", "identity"]
        op = r.choice(opts)
        if op == "alloc":
            shape = [self.small_size(sc) for _ in range(nd)]
            shape = [E("const", "i", [], 3) if e.op == "const" and e.val < 0 else e for e in shape]
            return E("alloc", ty, shape, (r.choice(["zeros", "ones"]), dt))
        if op == "astype":
            n, t = r.choice(conv)
            return E("astype", ty, [E("var", t, [], n)], dt)
        if op == "npcopy":
            n, t = r.choice(same)
            return E("npcopy", ty, [E("var", t, [], n)])
        if op == "sort":
            # np.sort along an axis (None only for 1-d: it flattens), or a.sort() of a copy.
            n, t = r.choice(same)
            axes = [None, -1, 0] + ([1] if nd == 2 else [])
            return E("sort", ty, [E("var", t, [], n)], r.choice(axes))
        if op == "concat":
            # Two arrays of the result's dtype and ndim, end to end (extents may differ: NumPy's error).
            (n, t), (m, u) = r.choice(same), r.choice(same)
            return E("concat", ty, [E("var", t, [], n), E("var", u, [], m)], r.choice([0, -1]))
        if op == "unique":
            n, t = r.choice(any_nd)
            return E("unique", ty, [E("var", t, [], n)])
        if op == "flatten":
            n, t = r.choice(flat)
            return E("flatten", ty, [E("var", t, [], n)])
        if op == "full_like":
            n, t = r.choice(same)
            return E("full_like", ty, [E("var", t, [], n), self.fill_value(sc, dt)])
        if op == "nparray":
            k = kind(dt)
            shape = [r.randint(1, 4)] if nd == 1 else [r.randint(1, 3), r.randint(1, 3)]
            elems = [self.expr(sc, k if r.random() < 0.7 or k == "b" else "ib"[k == "i"], 2)
                     for _ in range(math.prod(shape))]
            if k != "b" and not any(e.ty == k for e in elems):
                elems[0] = self.expr(sc, k, 2)
            return E("nparray", ty, elems, tuple(shape))
        if op == "arange":
            c = E("const", "i", [], r.choice([1, 1, 2, 3, -1, -2]))
            args = r.choice([[self.small(sc)], [self.small(sc), self.small(sc)], [self.small(sc), self.small(sc), c]])
            if dt == "float64":
                args[0] = self.expr(sc, "f", 2) if r.random() < 0.5 else E("const", "f", [], r.randint(-8, 8) / 2)
            return E("arange", ty, args)
        if op == "linspace":
            return E("linspace", ty, [self.expr(sc, "f", 2), self.expr(sc, "f", 2)], r.randint(0, 6))
        if op == "eye":
            return E("eye", ty, [], (r.randint(0, 4), r.choice([None, r.randint(0, 4)]),
                                     r.choice([None, 0, 1, -1, 2, -3]), dt))
        return E("identity", ty, [], (r.randint(0, 4), dt))

    def fill_value(self, sc, dt):
        """A scalar that converts into dt the same way in NumPy and ferrojit."""
        k = kind(dt)
        if dt in INT_RANGES:
            lo, hi = INT_RANGES[dt]
            return E("const", "i", [], max(lo, min(hi, self.r.randint(-9, 9))))
        return self.expr(sc, k if k != "f" or self.r.random() < 0.7 else "i", 2)

    def view(self, sc, depth):
        r = self.r
        name, t = r.choice(self.arrays(sc))
        nd = r.choice([n for (a, n) in self.FORMS if a == t[2]])
        e = self.view_of(sc, E("var", t, [], name), nd)
        new = sc.fresh(e.ty)
        sc.defined.add(new)
        self.bind(sc, new, e)
        return S("assign", [e], new)

    def setslice(self, sc, depth):
        """name[view] = a scalar or an array (overlapping the view, or not; broadcastable, or
        not: NumPy's ValueError)."""
        r = self.r
        name, t = r.choice(self.arrays(sc))
        _, dt, snd = t
        sc.written.add(name)
        if r.random() < 0.4:
            return self.shifted_copy(sc, name, t)
        nd = r.choice([n for (a, n) in self.FORMS if a == snd])
        forms = [f for f in self.FORMS[(snd, nd)] if set(f) <= set("sien")]
        target = self.view_of(sc, E("var", t, [], name), nd, forms)
        c = r.random()
        if c < 0.35:
            k = kind(dt)
            value = self.fill_value(sc, dt) if k != "f" else self.expr(sc, r.choice("ffib"), 1)
        elif c < 0.6:
            value = self.view_of(sc, E("var", t, [], name), r.randint(1, nd))
        else:
            dts = [d for d in DTYPES if RANK[d] <= RANK[dt]]
            value = self.aexpr(sc, ("a", r.choice(dts), r.randint(1, nd)), 1)
        return S("setslice", [value, target])

    def shifted_copy(self, sc, name, t):
        """A slice store whose shapes match (or broadcast) unless the lengths differ:
        `a[k:] = src[j:j + len(a) - k]`, `a[::-1] = src[:len(a)]`, `X[i] = X[j]`, `X[k:] = X[0]`;
        with src = a (often), source and target overlap."""
        r = self.r
        _, dt, nd = t
        same = E("var", t, [], name)
        srcs = [(n, u) for n, u in self.arrays(sc) if u[2] == nd and RANK[u[1]] <= RANK[dt]]
        n, u = (name, t) if r.random() < 0.6 else r.choice(srcs)
        src = E("var", u, [], n)
        k, j = (E("const", "i", [], r.randint(0, 3)) for _ in range(2))
        ln = E("-", "i", [E("len", "i", [], name), k])
        form = r.choice(["shift", "shift", "reverse"] + ["row", "column", "rowcast"] * (nd == 2))
        if form == "shift":
            target = E("view", t, [same, k], (("s", True, False, False),))
            value = E("view", u, [src, j, E("+", "i", [j, ln])], (("s", True, True, False),))
            if r.random() < 0.3:
                value = E("view", u, [value], (("s", False, False, True),))
                value.kids.append(E("const", "i", [], -1))
        elif form == "reverse":
            target = E("view", t, [same, E("const", "i", [], -1)], (("s", False, False, True),))
            value = E("view", u, [src, E("len", "i", [], name)], (("s", False, True, False),))
        elif form in ("row", "rowcast"):
            row = ("a", dt, 1)
            target = (E("view", row, [same, self.index(sc, name, 0)], (("i",),)) if form == "row"
                      else E("view", t, [same, k], (("s", True, False, False),)))
            value = E("view", ("a", u[1], 1), [src, self.index(sc, n, 0)], (("i",),))
        else:
            col = ("a", dt, 1)
            target = E("view", col, [same, self.index(sc, name, 1)], (("s", False, False, False), ("i",)))
            value = E("view", ("a", u[1], 1), [src, self.index(sc, n, 1)], (("s", False, False, False), ("i",)))
        return S("setslice", [value, target])

    def rebind(self, sc, depth):
        """An array local given another array (of its type), or two swapped: u, v = v, u."""
        r = self.r
        name, t = r.choice([(n, t) for n, t in self.arrays(sc) if n not in sc.frozen])
        others = [n for n, u in self.arrays(sc) if u == t and n != name]
        if others and r.random() < 0.5:
            other = r.choice(others)
            sc.flows.setdefault(name, set()).add(other)
            sc.flows.setdefault(other, set()).add(name)
            pair = E("tuple", ("t", (t, t)), [E("var", t, [], other), E("var", t, [], name)])
            return S("unpack", [pair], [name, other])
        e = self.aexpr(sc, t, 1)
        self.bind(sc, name, e)
        return S("assign", [e], name)

    def create(self, sc, depth):
        r = self.r
        if r.random() < 0.2:  # a tuple holding an array, for later t[k]
            ty = ("t", (self.array_type(), r.choice("if")))
        else:
            ty = self.array_type()
        e = self.value(sc, ty, 1) if ty[0] == "t" else self.new_array(sc, ty, 1)
        name = sc.fresh(ty)
        sc.defined.add(name)
        self.bind(sc, name, e)
        return S("assign", [e], name)

    def iterable(self, sc):
        """(an array expression to iterate over, its item type), or None."""
        r = self.r
        arrs = [(n, t) for n, t in self.arrays(sc) if t[2] == 2 or t[1] in ITER_DTYPES]
        if not arrs:
            return None
        n, t = r.choice(arrs)
        src = E("var", t, [], n)
        if r.random() < 0.3:
            src = self.view_of(sc, src, t[2], [f for f in self.FORMS[(t[2], t[2])] if f != "chain"])
        return src, ("a", t[1], 1) if t[2] == 2 else kind(t[1])

    def foreach(self, sc, depth):
        """for x in a / enumerate(a[, start]) / zip(a, b) / zip(a, range(n)) / a tuple."""
        r = self.r
        it = self.iterable(sc)
        form = r.choice(["plain", "enumerate", "zip", "tuple"]) if it else "tuple"
        exprs, tys, loopvar = [], [], None
        if form == "tuple":
            k = r.choice("iifb")
            tups = [n for n, t in sc.types.items() if n in sc.defined and isinstance(t, tuple)
                    and t[0] == "t" and set(t[1]) == {k}]
            if tups and r.random() < 0.5:
                n = r.choice(tups)
                exprs = [E("var", sc.types[n], [], n)]
            else:
                m = r.randint(1, 3)
                exprs = [E("tuple", ("t", (k,) * m), [self.expr(sc, k, 2) for _ in range(m)])]
            tys = [k]
        elif form == "zip":
            other = self.iterable(sc) if r.random() < 0.6 else None
            if other is None:
                other = (E("range", "r", [self.small(sc)]), "i")
            exprs, tys = [it[0], other[0]], [it[1], other[1]]
        else:
            exprs, tys = [it[0]], [it[1]]
            if form == "enumerate":
                if r.random() < 0.3:
                    exprs.append(E("const", "i", [], r.randint(-3, 3)))
                elif it[0].op == "var":
                    loopvar = it[0].val
                tys = ["i"] + tys
        names = [sc.fresh(t) for t in tys]
        sources = exprs if form != "enumerate" else [None, exprs[0]]
        for n, t, src in zip(names, tys, sources):
            if has_array(t):  # a row of src
                self.bind(sc, n, src)
        before = set(sc.defined)
        sc.defined.update(names)
        sc.loop += 1
        if form == "enumerate":
            sc.loopvars.append(names[0])
            if loopvar:
                sc.axes[names[0]] = (loopvar, 0)
        body = self.block(sc, depth + 1, r.randint(1, 3))
        if form == "enumerate":
            sc.loopvars.pop()
        sc.loop -= 1
        sc.defined = before
        return S("foreach", exprs, (form, names), body)

    # ---------------------------------------------------------------- array expressions
    def probe(self, e):
        """The type of an array-expression node (ax) or reduction (red), found by running it
        on one-element dummies with the reference's rules (ref._ax, ref._red); None where NumPy
        refuses the operand types (`-` of a bool, `&` of a float...) or gives a dtype the
        generator does not model."""
        from . import ref

        def dummy(k):
            if is_array(k.ty):
                return np.ones((1,) * k.ty[2], dtype=k.ty[1])
            if isinstance(k.ty, str) and k.ty.startswith("s:"):
                return np.dtype(k.ty[2:]).type(1)
            one = {"i": 1, "f": 1.0, "b": True}[k.ty]
            return one if is_literal(k) else ref._S(one)

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if e.op == "red":
                    v = ref._red(*e.val[:2], dummy(e.kids[0]), *e.val[2:])
                else:
                    v = ref._ax(e.val[0], e.val[1], *map(dummy, e.kids))
        except (TypeError, ValueError, OverflowError):
            return None
        if isinstance(v, np.ndarray):
            return ("a", v.dtype.name, v.ndim) if v.dtype.name in RANK and v.ndim <= 2 else None
        dt = np.asarray(v).dtype.name
        if dt == "float16":
            return None
        return {"int64": "i", "float64": "f", "bool": "b"}.get(dt, "s:" + dt)

    def fit(self, e, ty):
        """e converted to the scalar type ty (int() of a small integer, float() of a float32 or
        an integer), or None."""
        if e is None or e.ty == ty:
            return e
        if ty == "f" and (e.ty in ("i", "b") or (isinstance(e.ty, str) and e.ty.startswith("s:"))):
            return E("float", "f", [e])
        if ty == "i" and (e.ty == "b" or (isinstance(e.ty, str) and e.ty[2:3] in "iub")):
            return E("int", "i", [e])
        return None

    def ax_scalar(self, sc):
        """A number operand: a variable or element (int64/float64/bool, strong), or a small
        literal (weak)."""
        r = self.r
        k = r.choice("iiffb")
        if r.random() < 0.5:
            e = self.nonliteral(sc, k)
            if e is not None:
                return e
        if r.random() < 0.2:
            e = self.expr(sc, k, 2)
            if not is_literal(e):
                return e
        return E("const", k, [], r.choice(AX_CONSTS[k]))

    def ax_leaf(self, sc, anchor):
        """An array operand: mostly the anchor or a view of it (shapes that broadcast: itself,
        a row, `a[None, :]`, also a shifted slice that does not), sometimes another array."""
        r = self.r
        name, t = anchor
        c = r.random()
        if c < 0.5:
            return E("var", t, [], name)
        if c < 0.85:
            nd = r.choice([n for (a, n) in self.FORMS if a == t[2]])
            return self.view_of(sc, E("var", t, [], name), nd)
        n, u = r.choice(self.arrays(sc))
        return E("var", u, [], n)

    def ax_operand(self, sc, anchor, d, scalar=0.3):
        r = self.r
        c = r.random()
        if d < self.o.max_depth and c < 0.3:
            return self.axnode(sc, anchor, d + 1)
        if c < 1 - scalar:
            return self.ax_leaf(sc, anchor)
        return self.ax_scalar(sc)

    def axnode(self, sc, anchor, d):
        """An array expression (+ - * / comparisons & | ^ - ~, NumPy functions, np.where,
        np.clip) over the anchor array and others; falls back to an operand."""
        r = self.r
        for _ in range(4):
            c = r.random()
            if c < 0.4:
                op = r.choice(["+", "-", "*", "/", "+", "*", "//", "%", "**"] + CMPS + ["&", "|", "^"])
                kids = [self.ax_operand(sc, anchor, d), self.ax_operand(sc, anchor, d)]
                if not any(is_array(k.ty) for k in kids):
                    kids[r.randrange(2)] = self.ax_leaf(sc, anchor)
                e = E("ax", None, kids, ("bin", op))
            elif c < 0.5:
                e = E("ax", None, [self.ax_operand(sc, anchor, d, 0)], (r.choice(["neg", "neg", "~"]), None))
            elif c < 0.75:
                names = UF1 + UF1_ARRAY if r.random() < 0.8 else UF1_ARRAY
                e = E("ax", None, [self.ax_operand(sc, anchor, d, 0.1)], ("uf", r.choice(names)))
                if e.val[1] in UF1_ARRAY and not is_array(e.kids[0].ty):
                    e.kids[0] = self.ax_leaf(sc, anchor)
            elif c < 0.88:
                e = E("ax", None, [self.ax_operand(sc, anchor, d), self.ax_operand(sc, anchor, d)],
                      ("uf", r.choice(UF2 + UF2_ARRAY)))
                if e.val[1] in UF2_ARRAY and not any(is_array(k.ty) for k in e.kids):
                    e.kids[r.randrange(2)] = self.ax_leaf(sc, anchor)
            elif c < 0.95:
                cond = (E("ax", None, [self.ax_leaf(sc, anchor), self.ax_operand(sc, anchor, d)],
                          ("bin", r.choice(CMPS))) if r.random() < 0.8 else self.ax_leaf(sc, anchor))
                cond.ty = cond.ty or self.probe(cond)
                e = E("ax", None, [cond, self.ax_operand(sc, anchor, d), self.ax_operand(sc, anchor, d)],
                      ("uf", "where"))
            elif c < 0.975:
                e = E("ax", None, [self.ax_operand(sc, anchor, d, 0)] +
                      [self.ax_operand(sc, anchor, d, 0.8) for _ in range(2)], ("uf", "clip"))
            else:
                e = self.axis_reduction(sc, anchor, d)
            e = self.typed(e)
            if e is not None and is_array(e.ty):
                return e
        return self.ax_leaf(sc, anchor)

    def axis_reduction(self, sc, anchor, d):
        """A reduction of an array operand along one of its axes, perhaps with keepdims=True
        and NumPy's other keywords: an array (a number for a 1-d operand without keepdims)."""
        r = self.r
        x = self.ax_operand(sc, anchor, d, 0)
        if not is_array(x.ty):
            x = self.ax_leaf(sc, anchor)
        name = r.choice(AXIS_REDUCTIONS)
        nd = x.ty[2] if is_array(x.ty) else 0
        axis = r.randrange(-nd, nd) if nd else None
        kw = self.red_keywords(name, x.ty, axis, keepdims=r.random() < 0.5)
        return E("red", None, [x], (r.choice(["method", "np"]), name, kw))

    def red_keywords(self, name, ty, axis=None, keepdims=False):
        """Keyword arguments of a reduction `name` of an array of type ty, as (name, value)
        pairs: the axis given, keepdims=True if asked, and at random dtype= and ddof=
        where the reduction takes them (an integer dtype only for integer and bool
        elements, whose conversion is defined)."""
        r = self.r
        kw = [] if axis is None else [("axis", axis)]
        if name in RED_DDOF and r.random() < 0.5:
            kw.append(("ddof", r.choice([0, 1, 2, 5])))
        if name in RED_DTYPE and is_array(ty) and r.random() < 0.5:
            floats = ["float32", "float64"]
            ints = ["int8", "uint8", "int32", "int64"]
            exact = kind(ty[1]) == "f" or name not in ("sum", "prod")
            kw.append(("dtype", r.choice(floats if exact else ints + floats)))
        if keepdims:
            kw.append(("keepdims", True))
        return tuple(kw)

    def typed(self, e):
        """e with its probed type, or None; np.fmin/np.fmax get `+ 0.0` (the sign of
        np.fmin(0.0, -0.0) is left open by docs/language.md)."""
        if any(k.ty is None for k in e.kids):
            return None
        if e.val == ("uf", "reciprocal") and not (is_array(e.kids[0].ty) and kind(e.kids[0].ty[1]) == "f"):
            return None  # ferrojit takes floats only (NumPy's integer reciprocal divides)
        arrays = [k.ty[1] for k in e.kids if is_array(k.ty)]
        op = UF_OPS.get(e.val[1]) if e.val[0] == "uf" else e.val[1] if e.val[0] == "bin" else None
        if (op in ("+", "-", "*", "//", "%", "**") and len(arrays) + sum(k.ty == "b" for k in e.kids) == 2
                and all(k.ty == "b" or (is_array(k.ty) and k.ty[1] == "bool") for k in e.kids)):
            return None  # refused (docs/language.md): NumPy's bool loops are not Python's
        e.ty = self.probe(e)
        if e.ty is None:
            return None
        if e.val in (("uf", "fmin"), ("uf", "fmax")) and (e.ty == "f" or (is_array(e.ty) and kind(e.ty[1]) == "f")):
            e = self.typed(E("ax", None, [e, E("const", "f", [], 0.0)], ("bin", "+")))
        return e

    def ax_of_type(self, sc, ty, d):
        """An array expression of the array type ty, if a few tries find one."""
        anchors = [(n, t) for n, t in self.arrays(sc) if t[2] == ty[2]] or self.arrays(sc)
        if not anchors:
            return None
        for _ in range(4):
            e = self.axnode(sc, self.r.choice(anchors), d + 1)
            if e.ty == ty:
                return e
        return None

    def scalar_fn(self, sc, ty, d):
        """A reduction of an array (expression) or a NumPy function of numbers, of type ty."""
        r = self.r
        if self.arrays(sc) and r.random() < 0.7:
            return self.reduction(sc, ty, d)
        for _ in range(3):
            c = r.random()
            if c < 0.6:
                e = E("ax", None, [self.ax_scalar(sc)], ("uf", r.choice(UF1)))
            elif c < 0.8:
                e = E("ax", None, [self.ax_scalar(sc), self.ax_scalar(sc)], ("uf", r.choice(UF2)))
            elif c < 0.9:
                e = E("ax", None, [self.expr(sc, "b", d), self.ax_scalar(sc), self.ax_scalar(sc)], ("uf", "where"))
            else:
                e = E("ax", None, [self.ax_scalar(sc) for _ in range(3)], ("uf", "clip"))
            e = self.fit(self.typed(e), ty)
            if e is not None:
                return e
        return None

    def reduction(self, sc, ty, d):
        """sum prod mean min max argmin argmax any all std var of an array or an array
        expression: a method, an np function, or Python's sum/min/max of a 1-d array."""
        r = self.r
        name = r.choice(REDUCTIONS[ty])
        anchor = r.choice(self.arrays(sc))
        x = self.axnode(sc, anchor, d + 1) if r.random() < 0.5 else self.ax_leaf(sc, anchor)
        if name in ("sum", "min", "max") and x.ty[2] == 1 and r.random() < 0.3:
            form = "builtin"
        else:
            form = r.choice(["method", "np"])
        kw = ()
        if form != "builtin" and r.random() < 0.3:
            # the only axis of a 1-d operand still gives a number
            axis = r.choice([0, -1]) if x.ty[2] == 1 and r.random() < 0.3 else None
            kw = self.red_keywords(name, x.ty, axis)
        e = E("red", None, [x], (form, name, kw))
        e.ty = self.probe(e)
        return self.fit(e, ty) if e.ty is not None else None

    def axcreate(self, sc, depth):
        """A new local holding an array expression."""
        e = self.axnode(sc, self.r.choice(self.arrays(sc)), 1)
        name = sc.fresh(e.ty)
        sc.defined.add(name)
        self.bind(sc, name, e)
        return S("assign", [e], name)

    def augarr(self, sc, depth, target=None):
        """a op= v, a[view] op= v (v an array expression, a view overlapping the target, or a
        number), where NumPy's same_kind rule allows the cast back; broadcasting or not."""
        from . import ref
        r = self.r
        name, t = (target.val, target.ty) if target is not None else r.choice(self.arrays(sc))
        sc.written.add(name)
        for _ in range(6):
            if target is not None or r.random() < 0.4:
                tgt = E("var", t, [], name)
            else:
                nd = r.choice([n for (a, n) in self.FORMS if a == t[2]])
                forms = [f for f in self.FORMS[(t[2], nd)] if set(f) <= set("sien")]
                tgt = self.view_of(sc, E("var", t, [], name), nd, forms)
            op = r.choice(["+", "-", "*", "/", "+", "-", "//", "%", "&", "|", "^"])
            c = r.random()
            if c < 0.3:
                value = self.ax_scalar(sc)
            elif c < 0.5:
                nd = r.choice([n for (a, n) in self.FORMS if a == t[2]])
                value = self.view_of(sc, E("var", t, [], name), nd)
            else:
                value = self.axnode(sc, (name, t), 1)
            node = self.typed(E("ax", None, [tgt, value], ("bin", op)))
            # a value of more axes than the target is a compile error (E0218), as in slice stores
            if (node is not None and is_array(node.ty) and node.ty[2] == tgt.ty[2]
                    and np.can_cast(node.ty[1], t[1], "same_kind")):
                return S("augarr", [value, tgt], op)
        if t[1] == "bool":
            return S("augarr", [E("const", "b", [], True), E("var", t, [], name)], "|")
        return S("augarr", [E("const", "i", [], 1), E("var", t, [], name)], "+")

    # (ndim of the array, ndim of the result) -> advanced indexing forms: m a mask of the
    # array's shape (a comparison of it), i an integer array on the first axis, ki an integer
    # then an integer array (the reference indexes the row view first), si `:` then one.
    FANCY = {(1, 1): ["m", "i"], (2, 1): ["m", "ki"], (2, 2): ["i", "si"]}

    def index_array(self, sc):
        """np.array([...]) of int64: mostly small indices (negative too), now and then one
        past any array the fuzzer makes (NumPy's IndexError)."""
        r = self.r
        n = r.randint(1, 4)
        items = [E("const", "i", [], r.choice([0, 1, 2, -1, -2, 1, 0, 9])) for _ in range(n)]
        return E("nparray", ("a", "int64", 1), items, (n,))

    def fancy_of(self, sc, name, t, nd):
        """name[mask] or name[idx] (docs/language.md, advanced indexing) with nd axes, or None."""
        r = self.r
        forms = self.FANCY.get((t[2], nd))
        if not forms:
            return None
        form = r.choice(forms)
        src = E("var", t, [], name)
        if form == "m":
            cmp = self.typed(E("ax", None, [src, self.ax_scalar(sc)], ("bin", r.choice(CMPS))))
            if cmp is None or not is_array(cmp.ty) or cmp.ty[1] != "bool" or cmp.ty[2] != t[2]:
                return None
            return E("fancy", ("a", t[1], nd), [src, cmp], form)
        if form == "ki":
            row = E("view", ("a", t[1], 1), [src, self.index(sc, name, 0)], (("i",),))
            return E("fancy", ("a", t[1], nd), [row, self.index_array(sc)], form)
        return E("fancy", ("a", t[1], nd), [src, self.index_array(sc)], form)

    def setfancy(self, sc, depth):
        """name[mask] = v, name[idx] = v, name[idx] op= v (a number, or an expression of the
        selected elements themselves), NumPy's buffered meaning for repeated indices."""
        r = self.r
        name, t = r.choice(self.arrays(sc))
        nd = r.choice([b for (a, b) in self.FANCY if a == t[2]])
        target = self.fancy_of(sc, name, t, nd)
        if target is None:
            return self.view(sc, depth)
        sc.written.add(name)
        if r.random() < 0.4:
            value = self.fill_value(sc, t[1])
            if r.random() < 0.5 and kind(t[1]) != "b":
                # the selected elements themselves, computed: a value read from the target
                node = self.typed(E("ax", None, [target, E("const", "i", [], 2)], ("bin", "*")))
                if node is not None and np.can_cast(node.ty[1], t[1], "same_kind"):
                    value = node
            return S("setfancy", [value, target])
        for _ in range(4):
            op = r.choice(["+", "-", "*", "&", "|", "^"])
            value = self.ax_scalar(sc)
            node = self.typed(E("ax", None, [target, value], ("bin", op)))
            if node is not None and is_array(node.ty) and np.can_cast(node.ty[1], t[1], "same_kind"):
                return S("setfancy", [value, target], op)
        return S("setfancy", [self.fill_value(sc, t[1]), target])

    def out_helper(self, name):
        """def o0(a0, p0, out=None): if out is None: out = np.zeros_like(a0); then out[...] =
        an expression, or out op= one; return out."""
        r = self.r
        t = self.array_type()
        params = [("a0", t), ("p0", r.choice("if")), ("out", t)]
        sc = Scope(params)
        sc.frozen.add("out")
        self.ret = t
        out = E("var", t, [], "out")
        init = S("ifnone", [], "out", [S("assign", [E("zeros_like", t, [E("var", t, [], "a0")])], "out")])
        body = [init] + self.block(sc, 1, r.randint(0, 2))
        if r.random() < 0.5:
            value = None
            for _ in range(4):
                value = self.axnode(sc, ("a0", t), 1)
                if RANK[value.ty[1]] <= RANK[t[1]] and value.ty[2] <= t[2]:
                    break
                value = None
            value = value or E("var", t, [], "a0")
            sc.written.add("out")
            body.append(S("setslice", [value, E("view", t, [out], (("e",),))]))
        else:
            body.append(self.augarr(sc, 1, out))
        body.append(S("return", [out]))
        f = Func(name, params, t, body, writes=self.reached(sc, params))
        f.defaults["out"] = E("none", None)
        return f


def generate(seed, opts=None):
    return Gen(random.Random(seed), opts).program()
