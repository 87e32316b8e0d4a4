# signature: (float32[:],)
SCALE = 2.5
OFFSET = 3

def scaled(a):
    v = a[0] * SCALE + OFFSET  # revealed: float32
    return v
