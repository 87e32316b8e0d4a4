# signature: (float64, float64)
import numpy as np


def create_linspace(a, b):
    return np.linspace(a, b, 5, endpoint=False)
