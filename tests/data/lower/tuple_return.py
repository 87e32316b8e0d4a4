# signature: (float64[:, :], int64)
def f(a, n):
    return a, (n, n + 1), a.shape
