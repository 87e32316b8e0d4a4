# signature: (float64[:],)
# `for x in a` reads a[i] through the ordinary subscript; the range analysis
# proves i < len(a), so no bounds check is left.
def f(a):
    s = 0.0
    for x in a:
        s += x
    return s
