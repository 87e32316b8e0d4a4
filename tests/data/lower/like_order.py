# signature: (float64[:, :])
import numpy as np


def like_order(a):
    # Layout A: the new array's order follows a's strides (NumPy's order='K'),
    # chosen at run time.
    return np.empty_like(a)
