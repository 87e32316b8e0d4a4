# signature: (float32[:],)
def carried(a):
    best = a[0]
    i = 1
    while i < len(a):
        if i > 1:
            best = max(best, prev)  # unbound: prev  # revealed: float32
        prev = a[i] * 2  # revealed: float32
        i += 1
    return best
