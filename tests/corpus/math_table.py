# signature: (float64[:], float64[:, ::1])
import math

from ferrojit import jit


@jit
def math_table(x, out):
    for i in range(x.shape[0]):
        v = x[i]
        out[i, 0] = math.sin(v)
        out[i, 1] = math.cos(v)
        out[i, 2] = math.tan(v)
        out[i, 3] = math.tanh(v)
        out[i, 4] = math.atan2(v, 1.5)
        out[i, 5] = math.floor(v)
        out[i, 6] = math.ceil(v)
        out[i, 7] = math.fabs(v)
        out[i, 8] = math.pow(math.fabs(v), 1.5)
        out[i, 9] = math.log1p(math.fabs(v))
        out[i, 10] = math.expm1(v)
        out[i, 11] = 1.0 if math.isnan(v) else 0.0
        out[i, 12] = 1.0 if math.isinf(v) else 0.0
