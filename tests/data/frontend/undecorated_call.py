def kernel(a):
    return plain(a[0])
