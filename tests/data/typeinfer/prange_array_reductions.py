# signature: (float64[:, :], int64)
import numpy as np
from ferrojit import prange


def prange_array_reductions(x, nb):
    h = np.zeros(nb, np.int64)
    acc = np.zeros(x.shape[1])
    prod = np.ones(x.shape[1])
    for i in prange(x.shape[0]):
        local = np.zeros(nb, np.int64)
        local[int(x[i, 0] * nb) % nb] += 1
        h += local
        acc[:] += x[i]
        prod[...] *= x[i]
    bad = np.zeros(nb)
    mixed = np.zeros(nb)
    for i in prange(x.shape[0]):
        bad += x[i, 0]
        bad[0] = 1.0  # error: [E0260]
        mixed += 1.0
        mixed[:] *= 2.0  # error: [E0260]
    return h.sum() + acc.sum() + prod.sum() + bad.sum() + mixed.sum()
