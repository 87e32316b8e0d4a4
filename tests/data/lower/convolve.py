# signature: (float64[:, ::1], float64[:, ::1], float64[:, ::1])
def convolve(img, k, out):
    n, m = img.shape
    r = k.shape[0] // 2
    for i in range(r, n - r):
        for j in range(r, m - r):
            acc = 0.0
            for a in range(-r, r + 1):
                for b in range(-r, r + 1):
                    acc += img[i + a, j + b] * k[r + a, r + b]
            out[i, j] = acc
