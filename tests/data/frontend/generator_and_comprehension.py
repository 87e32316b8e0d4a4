def kernel(a):
    total = sum(x * x for x in a)
    squares = [x * x for x in a]
    return total, {1: 2}, f"{total}"
