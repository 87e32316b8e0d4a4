# signature: (int64,)
import numpy as np


def alloc_in_loop(n):
    # `t` takes over each fresh buffer (no count), releasing the one it held;
    # `u = t` takes a reference; every owner is released at the exit.
    u = np.zeros(1)
    for i in range(n):
        t = np.empty(8)
        t[0] = i
        u = t
    return u
