# signature: (float64[:, ::1], int64)
def row_views_swapped(u, steps):
    # `u` and `v` trade places after each sweep, so the row views hold
    # references; a view made again of the array it already views keeps its
    # reference (the owner is compared first), so only a changed owner is
    # retained and released.
    v = u.copy()
    n, m = u.shape
    for _ in range(steps):
        for i in range(1, n - 1):
            up, row, down, out = u[i - 1], u[i], u[i + 1], v[i]
            for j in range(1, m - 1):
                out[j] = 0.25 * (up[j] + down[j] + row[j - 1] + row[j + 1])
        u, v = v, u
    return u
