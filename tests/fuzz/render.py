"""Renders a gen.Program as the @jit module and as the reference module (see ref.py)."""

import copy
import math

from .gen import E, is_array, is_literal, kind

HEADER = "import math\n\nimport numpy as np\n\n"
JIT_HEADER = HEADER + "from ferrojit import jit\n\n"
SMALL_DTYPES = {"int32": "int", "int16": "int", "int8": "int", "uint8": "int", "float32": "float"}


def npdtype(dt):
    return "np.bool_" if dt == "bool" else f"np.{dt}"


def const(v, ty):
    if ty == "b":
        return repr(bool(v))
    if ty == "i":
        if v == -(2**63):
            return "(-9223372036854775807 - 1)"
        return f"({v})" if v < 0 else str(v)
    if math.isnan(v):
        return "math.nan"
    if math.isinf(v):
        return "math.inf" if v > 0 else "(-math.inf)"
    return f"({v!r})" if math.copysign(1.0, v) < 0 else repr(v)


class Renderer:
    def __init__(self, ref):
        self.ref = ref
        self.ntemp = 0
        # While rendering a fused array expression (reference): leaf id -> its evaluated name.
        self.leaves = None

    def program(self, prog):
        out = [HEADER if self.ref else JIT_HEADER]
        for f in prog.funcs:
            out.append(self.function(f))
        return "\n\n".join(out)

    def function(self, f):
        self.options = f.options
        lines = [] if self.ref else [f"@jit({f.options})" if f.options else "@jit"]
        params = []
        for n, _ in f.params:
            if n in f.kwonly and "*" not in params:
                params.append("*")
            params.append(f"{n}={self.x(f.defaults[n])}" if n in f.defaults else n)
        lines.append(f"def {f.name}({', '.join(params)}):")
        self.block(f.body, 1, lines)
        return "\n".join(lines) + "\n"

    def items(self, view):
        """The index of a view node: `1:-1, i, None, ...`; the reference builds a tuple of
        slice objects (its helpers take it as one argument)."""
        kids = iter(view.kids[1:])
        out = []
        for it in view.val:
            if it[0] == "i":
                out.append(self.x(next(kids)))
            elif it[0] == "n":
                out.append("None")
            elif it[0] == "e":
                out.append("...")
            else:
                parts = [self.x(next(kids)) if present else ("None" if self.ref else "") for present in it[1:]]
                if self.ref:
                    out.append(f"slice({', '.join(parts)})")
                else:
                    out.append(":".join(parts[:2]) + (f":{parts[2]}" if it[3] else ""))
        return f"({', '.join(out)},)" if self.ref else ", ".join(out)

    @property
    def opt(self):
        """The first argument of the reference's _ld/_st/_shape: the function's options."""
        return f"{self.options!r}, "

    def block(self, body, ind, lines):
        pad = "    " * ind
        for s in body:
            self.stmt(s, ind, pad, lines)

    def stmt(self, s, ind, pad, lines):
        x = self.x
        if s.op == "assign":
            lines.append(f"{pad}{s.name} = {x(s.exprs[0])}")
        elif s.op == "aug":
            name, op, ty, rty = s.name
            if self.ref:
                lines.append(f"{pad}{name} = {x(E(op, ty, [E('var', ty, [], name), s.exprs[0]]))}")
            else:
                lines.append(f"{pad}{name} {op}= {x(s.exprs[0])}")
        elif s.op == "store":
            name, dt = s.name
            idx = [x(e) for e in s.exprs[1:]]
            if self.ref:
                lines.append(f"{pad}_st({self.opt}{x(s.exprs[0])}, {name}, {', '.join(idx)})")
            else:
                lines.append(f"{pad}{name}[{', '.join(idx)}] = {x(s.exprs[0])}")
        elif s.op == "augstore":
            name, op, dt = s.name
            idx = [x(e) for e in s.exprs[1:]]
            if self.ref:
                t = f"_t{self.ntemp}"
                self.ntemp += 1
                lines.append(f"{pad}{t} = ({', '.join(idx)},)")
                k = kind(dt)
                load = E("raw", k, [], f"_ld({self.opt}{name}, *{t})")
                lines.append(f"{pad}_st({self.opt}{x(E(op, k, [load, s.exprs[0]]))}, {name}, *{t})")
            else:
                lines.append(f"{pad}{name}[{', '.join(idx)}] {op}= {x(s.exprs[0])}")
        elif s.op == "unpack":
            lines.append(f"{pad}{', '.join(s.name)} = {x(s.exprs[0])}")
        elif s.op == "if":
            lines.append(f"{pad}if {x(s.exprs[0])}:")
            self.block(s.body, ind + 1, lines)
            if s.orelse:
                lines.append(f"{pad}else:")
                self.block(s.orelse, ind + 1, lines)
        elif s.op == "for":
            r = f"range({', '.join(x(e) for e in s.exprs)})"
            lines.append(f"{pad}for {s.name} in {'_it(' + r + ')' if self.ref else r}:")
            self.block(s.body, ind + 1, lines)
        elif s.op == "while":
            ctr = s.name
            lines.append(f"{pad}{ctr} = 0")
            tick = "_tick() and " if self.ref else ""
            lines.append(f"{pad}while {tick}{ctr} < {x(s.exprs[1])} and {x(s.exprs[0])}:")
            lines.append(f"{pad}    {ctr} += 1")
            self.block(s.body, ind + 1, lines)
        elif s.op == "setslice":
            value, target = s.exprs
            if self.ref:
                lines.append(f"{pad}_setview({self.opt}{x(value)}, {x(target.kids[0])}, {self.items(target)})")
            else:
                lines.append(f"{pad}{x(target)} = {x(value)}")
        elif s.op == "setfancy":
            value, target = s.exprs
            op = s.name or ""
            lines.append(f"{pad}{self.fancy(target)} {op}= {self.operand(value) if op else x(value)}")
        elif s.op == "foreach":
            form, names = s.name
            it = (lambda e: f"_items({x(e)})") if self.ref else x
            if form == "enumerate":
                start = f", {x(s.exprs[1])}" if len(s.exprs) > 1 else ""
                src = f"enumerate({it(s.exprs[0])}{start})"
            elif form == "zip":
                src = f"zip({', '.join(it(e) for e in s.exprs)})"
            else:
                src = it(s.exprs[0])
            lines.append(f"{pad}for {', '.join(names)} in {src}:")
            self.block(s.body, ind + 1, lines)
        elif s.op == "augarr":
            value, target = s.exprs
            if self.ref:
                lines.append(f"{pad}_aug({s.name!r}, {x(target)}, {self.operand(value)})")
            else:
                lines.append(f"{pad}{x(target)} {s.name}= {x(value)}")
        elif s.op == "ifnone":
            lines.append(f"{pad}if {s.name} is None:")
            self.block(s.body, ind + 1, lines)
        elif s.op in ("break", "continue"):
            lines.append(pad + s.op)
        elif s.op == "return":
            lines.append(f"{pad}return {x(s.exprs[0])}")
        elif s.op == "raise":
            lines.append(f"{pad}raise {s.name[0]}({s.name[1]!r})")
        elif s.op == "assert":
            lines.append(f"{pad}assert {x(s.exprs[0])}, {s.name!r}")
        else:
            raise AssertionError(s.op)

    def fancy(self, e):
        """An advanced-indexing subscript, as read or as a store's target."""
        ref, x, k = self.ref, self.x, e.kids
        # NumPy's advanced indexing is the reference: ferrojit checks and wraps an array
        # index whatever the options say. `a[k, idx]` is one subscript on both sides, so
        # an IndexError names the axis of `a` (through the view `a[k]` it would be 0).
        src, index = k
        if e.val == "ki":
            # The integer index is checked as the options say (unspecified out of range
            # without bounds checks), the array index always.
            a, i = x(src.kids[0]), x(src.kids[1])
            return f"{a}[_at({self.opt}{a}, 0, {i}), {x(index)}]" if ref else f"{a}[{i}, {x(index)}]"
        return f"{x(src)}[{':, ' if e.val == 'si' else ''}{x(index)}]"

    def operand(self, e):
        """An operand of an array expression or NumPy function: the reference makes a
        non-literal number an int64/float64/bool (strong, as ferrojit's), not a weak Python one."""
        if self.ref and e.ty in ("i", "f", "b") and not is_literal(e):
            return f"_S({self.x(e)})"
        return self.x(e)

    def ax(self, e):
        kind_, name = e.val
        k = e.kids
        if self.ref and is_array(e.ty) and self.leaves is None:
            return self.fused(e)
        if self.ref:
            args = ", ".join((self.leaves or {}).get(id(c)) or self.operand(c) for c in k)
            v = f"_ax({kind_!r}, {name!r}, {args})"
            return f"_py({v})" if e.ty in ("i", "f", "b") else v
        if kind_ == "bin":
            return f"({self.x(k[0])} {name} {self.x(k[1])})"
        if kind_ == "neg":
            return f"(-{self.x(k[0])})"
        if kind_ == "~":
            return f"(~{self.x(k[0])})"
        return f"np.{name}({', '.join(self.x(c) for c in k)})"

    def fused(self, root):
        """An array expression as ferrojit computes it (docs/language.md): every operand (a
        leaf: not an array-valued operator or NumPy function, or an integer power that may
        raise) evaluated first, left to right, then the operations in NumPy's order, so that an
        operand's exception comes before a shape mismatch of an operation left of it."""
        leaves = []

        def walk(n):
            for c in n.kids:
                if c.op == "ax" and is_array(c.ty) and not may_raise_per_element(c):
                    walk(c)
                else:
                    leaves.append(c)

        walk(root)
        values = [self.operand(c) for c in leaves]
        self.leaves = {id(c): f"_l[{i}]" for i, c in enumerate(leaves)}

        def shape(n):
            if id(n) in self.leaves:
                return f"np.shape({self.leaves[id(n)]})"
            return f"_bshape({', '.join(shape(c) for c in n.kids)})"

        try:
            body = self.ax(root)
            # Every operation's shapes are checked before any element is computed.
            checks = shape(root)
        finally:
            self.leaves = None
        return f"(lambda _l: ({checks}, {body})[1])(({', '.join(values)},))"

    def red(self, e):
        form, name, kw = e.val
        a = self.x(e.kids[0])
        if self.ref:
            v = f"_red({form!r}, {name!r}, {a}, {kw!r})"
            return f"_py({v})" if e.ty in ("i", "f", "b") else v
        args = "".join(f", {k}=np.{v}" if k == "dtype" else f", {k}={v!r}" for k, v in kw)
        return {"method": f"{a}.{name}({args[2:]})", "np": f"np.{name}({a}{args})",
                "builtin": f"{name}({a})"}[form]

    def x(self, e):
        ref, x, k = self.ref, self.x, e.kids
        op = e.op
        if op == "ax":
            return self.ax(e)
        if op == "red":
            return self.red(e)
        if op == "none":
            return "None"
        if op == "zeros_like":
            return f"np.zeros_like({x(k[0])})"
        if op == "const":
            return const(e.val, e.ty)
        if op in ("var", "raw"):
            return e.val
        if op == "tindex":
            return f"{e.val[0]}[{e.val[1]}]"
        if op == "len":
            return f"len({e.val})"
        if op == "shape":
            return f"{e.val[0]}.shape[{e.val[1]}]"
        if op == "load":
            name, dt = e.val
            idx = ", ".join(x(i) for i in k)
            if ref:
                return f"_ld({self.opt}{name}, {idx})"
            conv = SMALL_DTYPES.get(dt)
            return f"{conv}({name}[{idx}])" if conv else f"{name}[{idx}]"
        if op in ("+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^"):
            a, b = x(k[0]), x(k[1])
            plain = f"({a} {op} {b})"
            if not ref:
                return plain
            if self.options == "error_model='numpy'" and (op in ("/", "//", "%") or (op == "**" and e.ty == "f")):
                return f"_np_errors({op!r}, {a}, {b}, {e.ty!r})"
            if e.ty == "i":
                if op in ("+", "-", "*", "//", "%"):
                    return f"_w{plain}"
                if op == "**":
                    return f"_ipow({a}, {b})"
                if op == "<<":
                    return f"_shl({a}, {b})"
                return plain
            if op == "/" and k[0].ty == k[1].ty == "i":
                return f"_tdiv({a}, {b})"
            if op == "//":
                return f"_ffloordiv({a}, {b})"
            if op == "**":
                return f"_fpow({a}, {b})"
            return plain
        if op == "neg":
            return f"_w(-{x(k[0])})" if ref and e.ty == "i" else f"(-{x(k[0])})"
        if op == "~":
            return f"(~{x(k[0])})"
        if op == "abs":
            return f"_w(abs({x(k[0])}))" if ref and e.ty == "i" else f"abs({x(k[0])})"
        if op == "not":
            return f"(not {x(k[0])})"
        if op in ("int", "round", "floor", "ceil"):
            if op == "int" and k[0].ty != "f":
                # ferrojit's int is int64: int() of a uint64 of 2**63 or more wraps (docs/language.md).
                return f"_w(int({x(k[0])}))" if ref else f"int({x(k[0])})"
            if ref:
                return f"_{'f2i' if op == 'int' else op}({x(k[0])})"
            return f"math.{op}({x(k[0])})" if op in ("floor", "ceil") else f"{op}({x(k[0])})"
        if op in ("float", "bool"):
            return f"{op}({x(k[0])})"
        if op in ("min", "max"):
            return f"{op}({', '.join(x(c) for c in k)})"
        if op == "round2":
            return f"round({x(k[0])}, {x(k[1])})"
        if op == "ifexp":
            return f"({x(k[1])} if {x(k[0])} else {x(k[2])})"
        if op in ("and", "or"):
            return "(" + f" {op} ".join(x(c) for c in k) + ")"
        if op == "cmp":
            parts = [x(k[0])]
            for o, c in zip(e.val, k[1:]):
                parts += [o, x(c)]
            return "(" + " ".join(parts) + ")"
        if op == "math":
            args = ", ".join(x(c) for c in k)
            return f"_math({e.val!r}, {args})" if ref else f"math.{e.val}({args})"
        if op == "np":
            return f"_np({e.val!r}, {x(k[0])})" if ref else f"np.{e.val}({x(k[0])})"
        if op == "rawload":
            name, dt = e.val
            idx = ", ".join(x(i) for i in k)
            return f"_ld({self.opt}{name}, {idx})" if ref else f"{name}[{idx}]"
        if op == "elemop":
            bop, dt = e.val
            plain = f"({x(k[0])} {bop} {x(k[1])})"
            if ref:
                if bop == "/" and self.options == "error_model='numpy'":
                    plain = f"_np_errors('/', {x(k[0])}, {x(k[1])}, 'f')"
                return f"_cast({plain}, {dt!r})"
            return f"{'float' if e.ty == 'f' else 'int'}{plain}"
        if op == "attr":
            return f"{e.val[0]}.{e.val[1]}"
        if op == "shapev":
            return f"_shape({self.opt}{e.val}, {x(k[0])})" if ref else f"{e.val}.shape[{x(k[0])}]"
        if op == "npcast":
            if ref:
                return f"_cast({x(k[0])}, {e.val!r})"
            return f"{'float' if e.ty == 'f' else 'int'}(np.{e.val}({x(k[0])}))"
        if op == "copy":
            return f"{e.val}.copy()"
        if op == "alloc":
            fn, dt = e.val
            shape = x(k[0]) if len(k) == 1 else "(" + ", ".join(x(c) for c in k) + ")"
            dt = npdtype(dt)
            return f"_alloc(np.{fn}, {shape}, {dt})" if ref else f"np.{fn}({shape}, dtype={dt})"
        if op == "call":
            if isinstance(e.val, str):
                return f"{e.val}({', '.join(x(c) for c in k)})"
            name, keys = e.val
            return f"{name}({', '.join(x(c) if kw is None else f'{kw}={x(c)}' for kw, c in zip(keys, k))})"
        if op == "view":
            return f"_view({self.opt}{x(k[0])}, {self.items(e)})" if ref else f"{x(k[0])}[{self.items(e)}]"
        if op == "T":
            return f"{x(k[0])}.T"
        if op in ("transpose", "asarray"):
            return f"np.{op}({x(k[0])})"
        if op == "sort":
            a = f"_sort_input({x(k[0])})" if ref else x(k[0])
            if e.val is None:
                v = f"np.sort({a})"
            elif e.val == -1 and k[0].ty[2] == 1:
                v = f"np.sort({a}, axis=None)"
            else:
                v = f"np.sort({a}, axis={e.val})"
            # ferrojit's is a new C-ordered array (docs/language.md); NumPy's keeps an F order.
            return f"np.ascontiguousarray({v})" if ref else v
        if op == "concat":
            fn = "_concat" if ref else "np.concatenate"
            return f"{fn}(({x(k[0])}, {x(k[1])}), axis={e.val})"
        if op == "unique":
            return f"np.unique(_sort_input({x(k[0])}))" if ref else f"np.unique({x(k[0])})"
        if op == "flip":
            return f"np.flip({x(k[0])})" if e.val is None else f"np.flip({x(k[0])}, {e.val})"
        if op in ("ravel", "flatten"):
            return f"{x(k[0])}.{op}()"
        if op == "reshape":
            dims = ", ".join(x(c) for c in k[1:])
            return f"_reshape({x(k[0])}, ({dims},))" if ref else f"{x(k[0])}.reshape({dims})"
        if op == "npcopy":
            return f"_copy({x(k[0])})" if ref else f"np.copy({x(k[0])})"
        if op == "astype":
            return f"_astype({x(k[0])}, {npdtype(e.val)})" if ref else f"{x(k[0])}.astype({npdtype(e.val)})"
        if op == "full_like":
            return f"_full_like({x(k[0])}, {x(k[1])})" if ref else f"np.full_like({x(k[0])}, {x(k[1])})"
        if op == "fancy":
            v = self.fancy(e)
            # ferrojit's result is a new C-ordered array (docs/language.md); NumPy's may be F.
            return f"np.ascontiguousarray({v})" if ref else v
        if op == "nparray":
            items = [x(c) for c in k]
            if len(e.val) == 2:
                m = e.val[1]
                items = ["[" + ", ".join(items[i:i + m]) + "]" for i in range(0, len(items), m)]
            return f"np.array([{', '.join(items)}])"
        if op == "arange":
            return f"{'_arange' if ref else 'np.arange'}({', '.join(x(c) for c in k)})"
        if op == "linspace":
            return f"np.linspace({x(k[0])}, {x(k[1])}, {e.val})"
        if op == "eye":
            n, m, diag, dt = e.val
            args = [str(n)] + ([str(m)] if m is not None else []) + ([f"k={diag}"] if diag is not None else [])
            return f"np.eye({', '.join(args)}, dtype={npdtype(dt)})"
        if op == "identity":
            return f"np.identity({e.val[0]}, dtype={npdtype(e.val[1])})"
        if op == "range":
            return f"range({x(k[0])})"
        if op == "tuple":
            return "(" + ", ".join(x(c) for c in k) + ("," if len(k) == 1 else "") + ")"
        raise AssertionError(op)


def may_raise_per_element(e):
    """An integer array `**` whose exponent may be negative: ferrojit computes it into its own
    array, as an operand, so that NumPy's negative-power error comes before the shape errors of
    the operations around it (docs/language.md)."""
    if e.val not in (("bin", "**"), ("uf", "power")) or e.ty[1] not in ("int64", "int32", "int8", "uint8"):
        return False
    exp = e.kids[1]
    signed = exp.ty == "i" or (is_array(exp.ty) and exp.ty[1] in ("int64", "int32", "int8"))
    return signed and not (exp.op == "const" and exp.val >= 0)


def float_dtype(e):
    """The float dtype of a number or array expression, else None."""
    if e.ty == "f":
        return "float64"
    if isinstance(e.ty, tuple) and e.ty[0] == "a" and e.ty[1].startswith("float"):
        return e.ty[1]
    if isinstance(e.ty, str) and e.ty.startswith("s:float"):
        return e.ty[2:]
    return None


def is_fn(e, name):
    return (e.op == "math" and e.val == name) or (e.op == "ax" and e.val == ("uf", name))


def accurate(e):
    """ferrojit's accuracy rewrites (docs/language.md, Array expressions): `log(1 + x)` is
    `log1p(x)` and `exp(x) - 1` is `expm1(x)`, math. and np., when x has the expression's float
    type; the reference computes the same."""
    e.kids = [accurate(k) for k in e.kids]
    one = lambda k: k.op == "const" and k.val == 1
    plus = lambda k: k.op == "+" or (k.op == "ax" and k.val == ("bin", "+"))
    minus = e.op == "-" or (e.op == "ax" and e.val == ("bin", "-"))
    if is_fn(e, "log") and len(e.kids) == 1 and plus(e.kids[0]):
        a, b = e.kids[0].kids
        x = b if one(a) else a if one(b) else None
        if x is not None and float_dtype(x) is not None and float_dtype(x) == float_dtype(e.kids[0]):
            return E(e.op, e.ty, [x], "log1p" if e.op == "math" else ("uf", "log1p"))
    if minus and one(e.kids[1]) and is_fn(e.kids[0], "exp") and len(e.kids[0].kids) == 1:
        x, ex = e.kids[0].kids[0], e.kids[0]
        if float_dtype(x) is not None and float_dtype(x) == float_dtype(e) == float_dtype(ex):
            return E(ex.op, e.ty, [x], "expm1" if ex.op == "math" else ("uf", "expm1"))
    return e


def rewritten(prog):
    """A copy of prog with the accuracy rewrites applied (for the reference)."""
    prog = copy.deepcopy(prog)

    def block(body):
        for s in body:
            s.exprs = [accurate(x) for x in s.exprs]
            block(s.body)
            block(s.orelse)

    for f in prog.funcs:
        block(f.body)
    return prog


def render(prog):
    """(source of the @jit module, source of the reference module)."""
    return Renderer(False).program(prog), Renderer(True).program(rewritten(prog))
