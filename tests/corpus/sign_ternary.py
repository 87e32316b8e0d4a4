# signature: (float64[:], int64[:])
from ferrojit import jit


@jit
def sign_ternary(a, out):
    for i in range(a.shape[0]):
        v = a[i]
        out[i] = 1 if v > 0.0 else (-1 if v < 0.0 else 0)
