# signature: (int32[:], int32[:], int32[:])
from ferrojit import jit


@jit
def int32_promotion(a, b, out):
    total = 0
    scaled = 0.0
    for i in range(a.shape[0]):
        out[i] = a[i] + b[i]
        total += a[i] * b[i]
        scaled += a[i] * 0.5
    return total, scaled
