# signature: (int64, int64, float64)
import math


def int_pow_builtins(a, b, x):
    return a ** b, a ** 3, x ** 2, abs(a), max(a, b, 0), round(x), math.floor(x), math.isnan(x)
