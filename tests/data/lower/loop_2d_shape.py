# signature: (float64[:, ::1],)
def loop_2d_shape(a):
    n, m = a.shape
    s = 0.0
    for i in range(n):
        for j in range(m):
            s += a[i, j] * 2.0
    return s
