# signature: (int64, int64, int64)
import numpy as np


def create_arange(start, stop, step):
    return np.arange(start, stop, step)
