# signature: (float64[:], complex128, float64)
def type_errors(a, z, x):
    if a:  # error: [E0210]
        x = 1.0
    b = a << 2  # error: [E0206]
    c = z < x  # error: [E0207]
    d = x & 1  # error: [E0208]
    e = ~x  # error: [E0209]
    a[0] = z  # error: [E0218]
    r = range(3)  # error: [E0224]
    q = math.sqrt(z)  # error: [E0220]
    return x
