def kernel(a):
    s = 0.0
    for x in [1.0, 2.0]:
        s += x
    return s
