"""Differential fuzzer: random valid @jit programs, run by ferrojit and by a CPython reference.

gen.py makes a program (a small AST) and renders it twice: as the @jit module ferrojit compiles,
and as the reference CPython runs, where each operation whose documented ferrojit rule differs
from CPython's (int64 wraparound, NumPy's integer power, IEEE math) calls a helper of ref.py.
run.py runs programs in a pool of worker processes and records findings; reduce.py shrinks one.
"""
