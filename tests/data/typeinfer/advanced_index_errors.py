# signature: (float64[:, :], int64[:], float64[:], bool[:, :], bool[:])
def advanced_index_errors(a, idx, f, m, n):
    p = a[idx, idx]  # error: [E0270]
    q = a[f]  # error: [E0271]
    r = n[m]  # error: [E0272]
    s = a[idx, None]  # error: [E0273]
    t = a[np.zeros((), dtype=np.int64)]  # error: [E0276]
    a[m, 0] = 1.0  # error: [E0272]
    a[idx], x = 1.0, 2.0  # error: [E0274]
    u = np.nonzero(x)  # error: [E0275]
    return p + q + r + s + t
