# signature: (float64[:], float64[:])
from ferrojit import jit

SCALE = 2.5
OFFSET = 3


@jit
def module_constant(a, out):
    for i in range(a.shape[0]):
        out[i] = a[i] * SCALE + OFFSET
