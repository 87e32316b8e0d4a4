# signature: (int64,)
def forever(n):
    return forever(n - 1) + 1  # error: [E0202]
