# signature: (float64[:, ::1], float64[:, ::1])
def wrapped_in_fast_copy(grid, out):
    # `grid[i, j - 1]` is -1 at j = 0: the version condition allows indices
    # down to -extent, and the fast copy wraps them around without a check.
    n, m = grid.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = grid[i, j - 1]
