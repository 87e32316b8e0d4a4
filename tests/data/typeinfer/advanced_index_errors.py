# signature: (float64[:, :], int64[:], float64[:], bool[:, :], bool[:])
def advanced_index_errors(a, idx, f, m, n):
    p = a[idx, idx]  # error: [E0270]
    q = a[f]  # error: [E0271]
    r = n[m]  # error: [E0272]
    s = a[idx, None]  # error: [E0273]
    a[m, 0] = 1.0  # error: [E0272]
    return p + q + r + s
