# signature: (float64[:], float64[:])
from ferrojit import jit


@jit
def dot(x, y):
    n = min(len(x), len(y))
    acc = 0.0
    for i in range(n):
        acc += x[i] * y[i]
    return acc
