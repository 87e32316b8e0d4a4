# signature: (float64[::1], bool[::1])
def mask_read(a, m):
    return a[m]
