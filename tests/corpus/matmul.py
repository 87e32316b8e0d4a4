# signature: (float64[:, ::1], float64[:, ::1], float64[:, ::1])
from ferrojit import jit


@jit
def matmul(a, b, out):
    n, k = a.shape
    m = b.shape[1]
    if b.shape[0] != k:
        raise ValueError("matmul: inner dimensions differ")
    for i in range(n):
        for j in range(m):
            acc = 0.0
            for p in range(k):
                acc += a[i, p] * b[p, j]
            out[i, j] = acc
