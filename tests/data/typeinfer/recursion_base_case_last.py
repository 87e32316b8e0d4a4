# signature: (int64,)
def depth(n):
    if n > 0:
        return depth(n - 1) + 1  # revealed: int64
    return 0
