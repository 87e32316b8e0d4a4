# signature: (float64[::1], int64[::1])
def float_to_int_index(x, h):
    # `int(v)` is INT64_MIN for NaN and values out of int64's range
    # (`fptosi.ormin`), which the bounds check then rejects.
    for i in range(x.shape[0]):
        k = int(x[i] * h.shape[0])
        h[k] += 1
