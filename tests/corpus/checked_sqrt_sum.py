# signature: (float64[:],)
import math

from ferrojit import jit


@jit
def checked_sqrt_sum(a):
    total = 0.0
    for i in range(a.shape[0]):
        if a[i] < 0.0:
            raise ValueError("checked_sqrt_sum: negative input")
        total += math.sqrt(a[i])
    return total
