# signature: (float64[:], int64)
def local_errors(a, n):
    y = a
    y = n  # error: [E0201]
    for i in range(n):
        total = total + i  # error: [E0200]
    p, q = a.shape  # error: [E0228]
    t = (1, 2)
    w = t[2]  # error: [E0214]
    t[0] = 5  # error: [E0229]
    k = a.flat  # error: [E0215]
    return n
