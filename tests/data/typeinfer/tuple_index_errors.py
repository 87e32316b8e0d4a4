# signature: ((int64, float64), (float32, float32), int64, float64, bool)
def pick(mixed, pair, k, x, flag):
    bad = mixed[k]  # error: [E0214]
    f = pair[x]  # error: [E0214]
    b = pair[flag]  # error: [E0214]
    far = pair[2]  # error: [E0214]
    return bad + f + b + far
