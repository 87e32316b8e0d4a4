def kernel(a):
    square = lambda x: x * x
    return square(a[0])
