# signature: (float64, float64[::1], float64[::1], float64[::1])
from ferrojit import jit


@jit
def saxpy(alpha, x, y, out):
    for i in range(x.shape[0]):
        out[i] = alpha * x[i] + y[i]
