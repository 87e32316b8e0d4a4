# signature: (float64[::1], float64)
# `d` only feeds the next statement: the typed-IR pass `fusion` computes it
# inside the sum's loop, so no array is allocated at all (no `alloc`).
def fused_temporary(x, mu):
    d = x - mu
    return np.sum(d * d)
