# signature: (float64[::1], float64[::1], int64)
def swapped_in_outer_loop(u, v, steps):
    # `u` and `v` trade places after each sweep, but within a sweep each is
    # one array: the sweep is versioned (one test of `v`'s extent before it)
    # and `u`'s indices are proven from the loop's bounds.
    for t in range(steps):
        for i in range(1, u.shape[0] - 1):
            v[i] = 0.5 * (u[i - 1] + u[i + 1])
        u, v = v, u
