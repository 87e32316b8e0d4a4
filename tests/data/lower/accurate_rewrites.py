# signature: (float64, float32[::1])
# `log(1 + x)` is computed as `log1p(x)`, `exp(x) - 1` as `expm1(x)`: numbers and arrays.
def accurate_rewrites(x, a):
    return math.log(1 + x), np.exp(x) - 1, np.log(a + 1.0)
