# signature: (float64[:, :, ::1], int64[:], bool[:, :], uint8[:], float32[:])
def advanced_index(a, idx, m, u, w):
    x = a[idx]  # revealed: array(float64, 3d, C)
    y = a[0, :, idx]  # revealed: array(float64, 2d, C)
    z = a[m]  # revealed: array(float64, 2d, C)
    v = a[:, m[0]]  # revealed: array(float64, 3d, C)
    k = a[..., u]  # revealed: array(float64, 3d, C)
    g = w[w > 0]  # revealed: array(float32, 1d, C)
    a[m] = 0.0
    a[idx] += 1.0
    w[u] = w[::-1][u]
    return x.sum() + y.sum() + z.sum() + v.sum() + k.sum() + g.sum()
