# signature: (int64, float64, bool)
def conditions(n, x, flag):
    a = n and x  # revealed: float64
    b = flag or n  # revealed: int64
    c = not x  # revealed: bool
    d = 1 if flag else 2.5  # revealed: float64
    e = x if n > 0 else 0  # revealed: float64
    f = 0 <= n < x  # revealed: bool
    while n:
        n -= 1
    if x:
        return a
    return b
