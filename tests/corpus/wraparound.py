# signature: (float64[:],)
from ferrojit import jit


@jit
def wraparound(a):
    acc = a[-1] - a[0]
    for i in range(1, len(a) + 1):
        acc += a[-i] * i
    return acc
