def kernel(a):
    s = 0.0
    for x in a:
        s += x
    return s
