# signature: (float64[::1], float32[:, ::1])
# `a * b + 1.0` with broadcasting: one loop nest over the result, no
# intermediate array (one `alloc`, for the result).
def array_expression(a, b):
    return np.sqrt(a * b + 1.0)
