# signature: (int64,)
def step(n):
    return n - 1


def is_even(n):
    if n == 0:
        return True
    return is_odd(step(n))


def is_odd(n):
    if n == 0:
        return False
    return is_even(step(n))


def parity(n):
    return is_even(n)
