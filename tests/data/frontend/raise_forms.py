def kernel(a, n):
    if n < 0:
        raise ValueError("negative: " + str(n))
    if n == 0:
        raise
    if n == 1:
        raise ValueError("one") from None
    if n == 2:
        raise helper()
    assert n > 3, f"n is {n}"
