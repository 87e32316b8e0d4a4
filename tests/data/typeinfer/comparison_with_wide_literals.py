# signature: (uint8, uint64, int8)
def wide(u, big, i):
    a = u < 300  # revealed: bool
    b = big > -1  # revealed: bool
    c = i == 127  # revealed: bool
    return a and b and c
