# signature: (float64[:], int64[:])
def any_layout_checked(a, idx):
    s = 0.0
    for i in range(len(idx)):
        s += a[idx[i]]
    return s
