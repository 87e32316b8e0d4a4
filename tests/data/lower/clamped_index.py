# signature: (int64[:], int64[:])


def clamped_index(h, x):
    # `k` is in [0, n - 1] where `h[k]` reads it, on every path reaching it:
    # no wraparound and no check. `h[k - 1]` may be -1: only its upper side is
    # proven, and it is wrapped and checked (one unsigned compare) as before.
    n = len(h)
    for i in range(len(x)):
        k = x[i]
        if k < 0 or k >= n:
            continue
        h[k] += h[k - 1]
