# signature: (float64[:], int64)
# options: boundscheck=False, wraparound=False
def checks_off(a, k):
    s = 0.0
    for i in range(len(a)):
        s += a[i - k]
    return s
