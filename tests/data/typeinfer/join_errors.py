# signature: (float64[:], int64, float64)
def joins(a, n, x):
    b = n or a  # error: [E0234]
    c = a if x > 0 else n  # error: [E0234]
    d = a and n  # error: [E0210]
    e = (n, x) if n else (x,)  # error: [E0234]
    return n
