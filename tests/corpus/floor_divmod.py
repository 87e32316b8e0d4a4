# signature: (int64[:], int64[:], int64[:], int64[:], float64[:], float64[:])
from ferrojit import jit


@jit
def floor_divmod(a, b, q, r, fq, fr):
    for i in range(a.shape[0]):
        q[i] = a[i] // b[i]
        r[i] = a[i] % b[i]
        x = float(a[i]) + 0.5
        fq[i] = x // b[i]
        fr[i] = x % b[i]
