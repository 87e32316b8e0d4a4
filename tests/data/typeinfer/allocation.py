# signature: (float32[::1, :], int64, int32)
def alloc(a, n, m):
    z = np.zeros((n, m))  # revealed: array(float64, 2d, C)
    e = np.empty(n, dtype=np.int32)  # revealed: array(int32, 1d, C)
    f = np.full(3, 1.5)  # revealed: array(float64, 1d, C)
    g = np.full((2, 2), 1)  # revealed: array(int64, 2d, C)
    h = np.ones_like(a, dtype=np.float64)  # revealed: array(float64, 2d, F)
    k = np.empty_like(a)  # revealed: array(float32, 2d, F)
    c = a.copy()  # revealed: array(float32, 2d, C)
    s = np.zeros(n, dtype='int8')  # revealed: array(int8, 1d, C)
    d = np.empty(a.shape, dtype=a.dtype)  # revealed: array(float32, 2d, C)
    b = np.ones(4, dtype=bool)  # revealed: array(bool, 1d, C)
    u = np.zeros((), np.uint16)  # revealed: array(uint16, 0d, C)
    z[0, 0] = e[0] + g[0, 1] + s[0]
    return z
