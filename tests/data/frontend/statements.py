def kernel(a):
    import math
    global counter
    del a
    def inner(x):
        return x
    for i, j in range(3):
        pass
    for k in range():
        pass
