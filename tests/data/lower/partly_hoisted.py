# signature: (float64[::1], int64[::1], float64[::1])
def partly_hoisted(a, idx, out):
    # `a[idx[i]]` depends on the data: the loop runs in chunks, each checking
    # its indices in a pass first; `out[i]` is checked at each chunk's ends.
    for i in range(idx.shape[0]):
        out[i] = a[idx[i]]
