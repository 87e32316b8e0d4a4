# signature: (float64[:], float64[:])
def swap_arrays(u, v):
    # Both targets take their new reference before either releases what it
    # held (and neither touches a count if its owner does not change).
    u, v = v, u
    return u
