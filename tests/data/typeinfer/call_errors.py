# signature: (float64[:], int64)
def call_errors(a, n):
    x = helper(n, n)  # error: [E0219]
    y = helper(n=n)  # error: [E0219]
    z = np.zeros(n, dtype='flot')  # error: [E0222]
    w = np.zeros(a)  # error: [E0223]
    v = a.frobnicate()  # error: [E0227]
    m = min(n)  # error: [E0220]
    l = len(n)  # error: [E0216]
    s = np.zeros(n, dtype=np.float32)
    for i in range(0.5, n):  # error: [E0231]
        s[i] = 1
    return n

def helper(v):
    return v
