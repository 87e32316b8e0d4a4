# signature: (float64[:], float64[:])
def negative_step(src, dst):
    n = len(src)
    j = 0
    for i in range(n - 1, -1, -1):
        dst[j] = src[i]
        j += 1
