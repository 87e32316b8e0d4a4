# signature: (float64[:, :], int64)
import numpy as np


def alloc_return(a, n):
    out = np.zeros((n, 3), dtype=np.float32)
    ones = np.ones(n)
    c = a.copy()
    for i in range(n):
        out[i, 0] = ones[i] + c[0, 0]
    return out
