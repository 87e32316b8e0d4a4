# signature: (float64[:], float64[:], int64)
def versioned_shift(a, out, k):
    for i in range(1, len(out) - 1):
        out[i] = a[i - 1 + k] + a[i + k]
