# signature: (int64,)
from ferrojit import jit


@jit
def unify_int_float(n):
    x = 0
    for i in range(n):
        if i % 3 == 0:
            x = x + 1.5
        else:
            x = x + i
    return x
