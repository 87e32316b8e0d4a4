# signature: (float64[:], float64, float64)
from ferrojit import jit


@jit
def in_range_count(a, lo, hi):
    inside = 0
    edges = 0
    for i in range(a.shape[0]):
        v = a[i]
        if lo <= v < hi and not v == 0.0:
            inside += 1
        if v < lo or v >= hi:
            edges += 1
    return inside, edges
