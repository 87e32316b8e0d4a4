# signature: (float64[::1], int64, int64[::1])
def data_index(x, bins, h):
    # A data-dependent index: int() is one magnitude compare beside the
    # conversion, the negative index wraps, one unsigned compare checks it.
    n = x.shape[0]
    for i in range(n):
        h[int(x[i] * bins)] += 1
        # 0 <= i + 1 < 2 * n: a compare and a subtraction, no division.
        h[0] += int(x[(i + 1) % n] // 1.5)
