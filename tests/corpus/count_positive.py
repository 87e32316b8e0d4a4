# signature: (float64[:],)
from ferrojit import jit


@jit
def count_positive(a):
    count = 0
    for i in range(a.size):
        if a[i] <= 0.0:
            continue
        count += 1
    return count
