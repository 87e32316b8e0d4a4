# signature: (float64[:],)
from ferrojit import jit


@jit
def min_argmin(a):
    best = a[0]
    where = 0
    for i in range(1, len(a)):
        if a[i] < best:
            best = a[i]
            where = i
    return best, where
