@jit
def kernel(a):
    total = 0.0
    try:
        total = a[0]
    except IndexError:
        pass
    return total
