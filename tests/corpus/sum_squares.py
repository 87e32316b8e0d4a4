# signature: (float64[:],)
from ferrojit import jit


@jit
def square(x):
    return x * x


@jit
def sum_squares(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += square(a[i])
    return s
