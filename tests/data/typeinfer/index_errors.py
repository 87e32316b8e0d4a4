# signature: (float64[:, :], float64)
def bad_index(a, x):
    s = a[0][0, 1]  # error: [E0211]
    t = a[0, 1, 2]  # error: [E0211]
    u = a[x, 0]  # error: [E0212]
    return s + t + u
