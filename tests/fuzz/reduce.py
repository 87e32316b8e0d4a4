"""`python -m tests.fuzz.reduce FINDING_DIR`: shrink a finding while its discrepancy persists.

Greedy passes over the program's AST (delete a statement, inline a block, replace an
expression with a sub-expression or a constant of its type, drop a helper, simplify the
arguments), each candidate run in a worker process (so a crash is just a result), until no
candidate keeps the finding. Writes reduced/ next to the finding: both sources and README.txt.
"""

import argparse
import copy
import os
import pickle
import sys

from .gen import E
from .run import Pool, save_finding


def key(res):
    """What must stay the same while reducing."""
    st = res["status"]
    if st in ("wrong", "known"):
        return ("diff", tuple(res["signature"]))
    if st in ("internal_error", "compile_error", "fuzzer_error"):
        return (st, res.get("message", "").split(":")[1][:50] if ":" in res.get("message", "") else "")
    return (st,)


def slots(prog):
    """Every place a mutation can apply: (kind, container, index)."""
    out = []

    def block(b):
        for i, s in enumerate(b):
            out.append(("stmt", b, i))
            for j in range(len(s.exprs)):
                expr(s.exprs, j)
            block(s.body)
            block(s.orelse)

    def expr(lst, j):
        out.append(("expr", lst, j))
        for k in range(len(lst[j].kids)):
            expr(lst[j].kids, k)

    out.append(("funcs", prog.funcs, None))
    for f in prog.funcs:
        block(f.body)
    return out


SIMPLE = {"i": [0, 1, -1], "f": [0.0, 1.0, -1.0], "b": [False, True]}


def alternatives(kind, lst, i):
    """New values for lst[i] (or whole-list edits), simplest first."""
    if kind == "funcs":
        for h in range(len(lst) - 1):
            yield lambda lst=lst, h=h: lst.pop(h)
        return
    if kind == "stmt":
        s = lst[i]
        yield lambda: lst.pop(i)
        if s.op in ("if", "for", "while"):
            yield lambda: lst.__setitem__(slice(i, i + 1), s.body)
        if s.op == "if" and s.orelse:
            yield lambda: lst.__setitem__(slice(i, i + 1), s.orelse)
            yield lambda: setattr(s, "orelse", [])
        return
    e = lst[i]
    if e.ty not in SIMPLE:
        # an array or tuple: one of its operands of the same type (a view of a view -> the view)
        for k in e.kids:
            if k.ty == e.ty:
                yield lambda k=k: lst.__setitem__(i, k)
        return
    for k in e.kids:
        if k.ty == e.ty:
            yield lambda k=k: lst.__setitem__(i, k)
    if e.op == "const":
        simpler = [v for v in SIMPLE[e.ty] if v != e.val or type(v) is not type(e.val)]
        if e.ty == "i" and abs(e.val) > 2:
            simpler = [e.val // 2] + simpler
        for v in simpler[:4]:
            if not (e.ty == "f" and v == e.val and str(v) == str(e.val)):
                yield lambda v=v: lst.__setitem__(i, E("const", e.ty, [], v))
    else:
        for v in SIMPLE[e.ty]:
            yield lambda v=v: lst.__setitem__(i, E("const", e.ty, [], v))


def arg_alternatives(args):
    for i, (k, v) in enumerate(args):
        if k == "scalar" and not isinstance(v, bool):
            for s in (0, 1) if isinstance(v, int) else (0.0, 1.0):
                if v != s or (isinstance(v, float) and str(v) != str(s)):
                    yield i, (k, s)
        if k == "array":
            zero = [type(x)(0) for x in v[2]]
            if v[2] != zero:
                yield i, (k, v[:2] + (zero,) + v[3:])


def size(prog):
    return sum(1 for _ in slots(prog))


def cost(prog, args):
    """What reduction makes smaller: nodes, then how unusual the constants and arguments are."""
    def weight(v):
        if isinstance(v, float):
            return 0 if v in (0.0, 1.0) else 1
        return 0 if isinstance(v, bool) or v in (0, 1) else len(str(abs(v)))

    consts = [s[1][s[2]].val for s in slots(prog) if s[0] == "expr" and s[1][s[2]].op == "const"]
    scalars = [v for k, v in args if k == "scalar"]
    arrays = [x for k, v in args if k == "array" for x in v[2]]
    return (size(prog), sum(map(weight, consts + scalars)), sum(map(weight, arrays)))


def reduce(prog, args, res, pool, log=lambda m: print(m, flush=True)):
    want = key(res)
    tried = 0

    def holds(p, a):
        nonlocal tried
        tried += 1
        _, _, r = next(pool.run([(0, (p, [a]))]))
        return key(r) == want and (res["status"] != "wrong" or r["status"] == "wrong"), r

    ok, last = holds(prog, args)
    if not ok:
        log(f"the finding does not reproduce in isolation: {last.get('status')} {last.get('message', '')[:200]}")
        return None
    changed = True
    while changed:
        changed = False
        n = len(slots(prog))
        k = 0
        while k < n:
            kind, lst, i = slots(prog)[k]
            for alt_i, _ in enumerate(list(alternatives(kind, lst, i))):
                cand = copy.deepcopy(prog)
                ckind, clst, ci = slots(cand)[k]
                alts = list(alternatives(ckind, clst, ci))
                alts[alt_i]()
                if cost(cand, args) >= cost(prog, args):
                    continue
                good, r = holds(cand, args)
                if good:
                    prog, last, changed = cand, r, True
                    n = len(slots(prog))
                    break
            k += 1
        for i, new in list(arg_alternatives(args)):
            cand = list(args)
            cand[i] = new
            if cost(prog, cand) >= cost(prog, args):
                continue
            good, r = holds(prog, cand)
            if good:
                args, last, changed = cand, r, True
        log(f"  pass done: {size(prog)} nodes, {tried} runs")
    return prog, args, last


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("finding", help="a finding folder written by tests.fuzz.run")
    p.add_argument("--timeout", type=float, default=30.0)
    a = p.parse_args(argv)
    with open(os.path.join(a.finding, "program.pkl"), "rb") as f:
        prog, arg_sets, res = pickle.load(f)
    case = res.get("case", 0)
    pool = Pool(1, a.timeout)
    try:
        out = reduce(prog, arg_sets[case], res, pool)
    finally:
        pool.close()
    if out is None:
        return 1
    prog, args, last = out
    save_finding(a.finding, "reduced", prog, [args], dict(last, case=0))
    print(open(os.path.join(a.finding, "reduced", "jit.py")).read())
    print(open(os.path.join(a.finding, "reduced", "README.txt")).read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
