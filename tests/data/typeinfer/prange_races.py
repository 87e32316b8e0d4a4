# signature: (float64[:], float64[:], int64)
from ferrojit import prange


def prange_races(x, out, n):
    last = 0.0
    for i in prange(x.shape[0]):
        last = x[i] * 2.0
        if x[i] > 1e9:
            break  # error: [E0251]
        out[i] = last
    k = -1
    for k in prange(n):
        if x[k] < 0:
            return 1.0  # error: [E0251]
    return last + k  # error: [E0250] [E0250]
