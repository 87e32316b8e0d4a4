# signature: (float64[::1],)
import numpy as np
from ferrojit import prange


def prange_array_sum(x):
    # An array reduction: `prange_array_sum` allocates one private array per
    # chunk (`prange.private`); the outlined body points `acc` at its chunk's
    # (`chunk`), fills it with 0.0 and adds into it; after the parallel for
    # they are added into `acc` in chunk order, then freed.
    acc = np.zeros(4)
    for i in prange(x.shape[0]):
        acc += x[i]
    return acc
