# signature: (float64[:, :, :],)
from ferrojit import jit


@jit
def sum_3d(a):
    n0, n1, n2 = a.shape
    s = 0.0
    for i in range(n0):
        for j in range(n1):
            for k in range(n2):
                s += a[i, j, k]
    return s
