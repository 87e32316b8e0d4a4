# signature: (float64[::1], int64[::1], float64[::1])
from ferrojit import jit


@jit
def scatter_add(a, idx, out):
    # A store through an index read from data: one unsigned compare passes an
    # index in [0, n); the rest take a branch marked unlikely (`llvm.expect`)
    # that wraps a negative index around or raises IndexError.
    for i in range(idx.shape[0]):
        out[idx[i]] += a[i]
