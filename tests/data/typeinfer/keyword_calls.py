# signature: (float64[:],)
def keyword_calls(a):
    p = scaled(a)  # revealed: float64
    q = scaled(a, 5, scale=2)  # revealed: int64
    r = scaled(n=2, a=a)  # revealed: float64
    s = shape_default(a)  # revealed: (int64, int64)
    return p

def scaled(a, n=3, *, scale=1.0):
    return n * scale

def shape_default(a, shape=(2, -3)):
    return shape
