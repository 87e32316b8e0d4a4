# signature: (float32[::1], float32, float32[::1])
import numpy as np

from ferrojit import jit


@jit
def scale_f32(a, factor, out):
    acc = np.float32(0.0)
    half = np.float32(0.5)
    for i in range(a.shape[0]):
        v = a[i] * factor + half
        out[i] = v
        acc += v
    return acc
