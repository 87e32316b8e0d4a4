# signature: (int64[:], int64)
from ferrojit import jit


@jit
def find_first(a, target):
    found = -1
    for i in range(len(a)):
        if a[i] == target:
            found = i
            break
    if found < 0:
        return -1
    return found
