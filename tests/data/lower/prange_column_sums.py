# signature: (float64[:, ::1],)
import numpy as np
from ferrojit import prange


def prange_column_sums(a):
    # An array reduction: `prange_column_sums` allocates one private array
    # per chunk (`prange.private`); the outlined body points `acc` at its
    # chunk's (`chunk`), fills it with 0.0 and adds rows into it; after the
    # parallel for they are added into `acc` in chunk order, then freed.
    acc = np.zeros(a.shape[1])
    for i in prange(a.shape[0]):
        acc += a[i]
    return acc
