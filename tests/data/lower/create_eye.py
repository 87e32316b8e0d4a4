# signature: (int64)
import numpy as np


def create_eye(n):
    return np.eye(n, k=1, dtype=np.int8)
