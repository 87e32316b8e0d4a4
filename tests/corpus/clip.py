# signature: (float64[:], float64, float64, float64[:])
from ferrojit import jit


@jit
def clip(a, lo, hi, out):
    for i in range(a.shape[0]):
        v = a[i]
        if v < lo:
            out[i] = lo
        elif v > hi:
            out[i] = hi
        else:
            out[i] = v
