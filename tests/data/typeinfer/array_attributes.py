# signature: (float64[:, ::1], (int64, float32))
def attrs(a, t):
    n, m = a.shape
    s = a.shape  # revealed: (int64, int64)
    k = a.shape[1]  # revealed: int64
    size = a.size  # revealed: int64
    nd = a.ndim  # revealed: int64
    rows = len(a)  # revealed: int64
    last = t[-1]  # revealed: float32
    first = t[0]  # revealed: int64
    tl = len(t)  # revealed: int64
    v = a[n - 1, m - 1]  # revealed: float64
    return v
