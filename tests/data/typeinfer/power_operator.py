# signature: (bool[:], int8[:], float32[:], complex64[:])
HALF = 0.5


def power_operator(b, i, x, z):
    s = b ** 2  # revealed: array(int8, 1d, C)
    p = np.power(b, 2)  # revealed: array(int64, 1d, C)
    k = i ** 2  # revealed: array(int8, 1d, C)
    j = i ** 0.5  # revealed: array(float64, 1d, C)
    r = x ** -1  # revealed: array(float32, 1d, C)
    q = x ** HALF  # revealed: array(float32, 1d, C)
    w = z ** 0.5  # revealed: array(complex64, 1d, C)
    return s, p, k, j, r, q, w
