# signature: (int64, float64)
def caller(n, x):
    a = square(n)  # revealed: int64
    b = square(x)  # revealed: float64
    c = square(n)  # revealed: int64
    return a + b + c

def square(v):
    return v * v
