# signature: (int64,)
from ferrojit import jit


@jit
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
