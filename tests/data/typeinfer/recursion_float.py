# signature: (int64,)
def halve(n):
    if n <= 0:
        return 0
    return halve(n - 1) + 0.5  # revealed: float64
