# signature: (float64[:, :], int32, float32)
def creation(a, n, x):
    r = np.arange(n)
    f = np.arange(0, n, 0.5)
    g = np.arange(n, dtype=np.float32)
    l = np.linspace(x, 1.0, n)
    k = np.linspace(0, 1)
    e = np.eye(n, k=1, dtype=np.int8)
    i = np.identity(3)
    u = np.full_like(a, 7, dtype=np.uint16)
    c = np.copy(a)
    s = np.asarray(a)
    t = np.array([[1, 2], [3, x]])
    b = np.array([True, False])
    dt = a.dtype
    h = a.astype(dt)
    q = a.astype('int16')
    return n
