# signature: (float64, float64, int64)
def swap(x, y, n):
    x, y = y, x
    p, q = 1, 2.5
    p = 3.5
    pair = (n, x)  # revealed: (int64, float64)
    mixed = (n, 1) if n else (x, 2.5)  # revealed: (float64, float64)
    return p, q  # revealed: (float64, float64)
