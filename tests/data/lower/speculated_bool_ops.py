# signature: (int64[:, ::1], float64[:], int64)
def speculated_bool_ops(grid, a, n):
    c = 0
    for i in range(1, grid.shape[0] - 1):
        for j in range(1, grid.shape[1] - 1):
            # `grid[i, j]` is proven in bounds: the `or`/`and` are selects
            s = grid[i - 1, j] + grid[i + 1, j]
            if s == 3 or (s == 2 and grid[i, j] == 1):
                c += 1
    # `a[n]` is not proven: it is read only when `n < a.shape[0]`, as in Python
    if n < a.shape[0] and a[n] > 0.0:
        c += 1
    return c
