# signature: (int64, int64)
def grow(t, n):
    if n == 0:
        return 0
    return grow((t, t), n - 1)  # error: [E0232]
