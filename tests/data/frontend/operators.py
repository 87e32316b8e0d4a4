def kernel(a, b, n):
    if n is None or n in (1, 2):
        a @= b
    big = 99999999999999999999
    a.shape = (2, 2)
    return big
