# signature: (int8, uint8[:])
def bounds(x, u):
    a = x + 1000  # error: [E0235]
    b = u[0] + -1  # error: [E0235]
    u[1] = 256  # error: [E0235]
    c = x + 127
    d = u[0] < 300
    e = u[0] > -1
    return a
