# signature: (float64[:, :, ::1], int32, (int64, float64), ((float32, float32), (float32, float32)))
def dims(a, axis, mixed, pairs):
    n = a.shape[axis]  # revealed: int64
    last = a.shape[axis - 3]  # revealed: int64
    p = pairs[axis]  # revealed: (float32, float32)
    q = pairs[1][axis]  # revealed: float32
    first = mixed[0]  # revealed: int64
    return n + last + p[0] + q + first
