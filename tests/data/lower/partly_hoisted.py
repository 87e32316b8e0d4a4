# signature: (float64[::1], int64[::1], float64[::1])
def partly_hoisted(a, idx, out):
    # `out[i]` is checked once, before the loop; `a[idx[i]]` depends on the
    # data and keeps its check inside the loop.
    for i in range(idx.shape[0]):
        out[i] = a[idx[i]]
