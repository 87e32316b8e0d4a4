# signature: (boolean[:], float64[:])
from ferrojit import jit


@jit
def mask_count(mask, a):
    count = 0
    total = 0.0
    for i in range(mask.shape[0]):
        if mask[i]:
            count += 1
            total += a[i]
    return count, total
