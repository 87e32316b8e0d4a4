# signature: (float64[:], float64[:])
def swap_arrays(u, v):
    # Both items are retained (held by the statement) before either target
    # releases what it held; each target then takes its reference over.
    u, v = v, u
    return u
