# signature: (float64[::1],)
def sum_1d(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i]
    return s
