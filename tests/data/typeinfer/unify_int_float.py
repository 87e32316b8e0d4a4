# signature: (float64[:],)
def unify(a):
    x = 0  # revealed: float64
    n = 0  # revealed: int64
    for i in range(len(a)):
        x = a[i]
        n += 1
    return x  # revealed: float64
