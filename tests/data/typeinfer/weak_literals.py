# signature: (float32, int32, bool)
def weak(x, i, b):
    p = x * 2.0  # revealed: float32
    q = i + 1  # revealed: int32
    r = i * 2.0  # revealed: float64
    s = x * 2  # revealed: float32
    t = b + 1  # revealed: int64
    u = 1 + 2.5  # revealed: float64
    v = x * 1j  # revealed: complex64
    w = i / 2  # revealed: float64
    y = x / 2  # revealed: float32
    z = i ** 2  # revealed: int64
    zz = x ** 2  # revealed: float32
    bb = b & b  # revealed: bool
    nb = -b  # revealed: int64
    cmp = i < 2.5  # revealed: bool
    return p
