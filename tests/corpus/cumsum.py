# signature: (float64[:],)
import numpy as np

from ferrojit import jit


@jit
def cumsum(a):
    out = np.empty_like(a)
    acc = 0.0
    for i in range(a.shape[0]):
        acc += a[i]
        out[i] = acc
    return out
