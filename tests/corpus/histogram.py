# signature: (uint8[:],)
import numpy as np

from ferrojit import jit


@jit
def histogram(pixels):
    counts = np.zeros(256, dtype=np.int64)
    for i in range(pixels.shape[0]):
        counts[pixels[i]] += 1
    return counts
