# signature: (float64[:], int64)
def creation_errors(a, n):
    r = np.arange(n, order='C')  # error: [E0221]
    s = np.arange(0, n, 1, np.int8, 5)  # error: [E0219]
    t = np.arange(1j)  # error: [E0220]
    u = np.linspace(0.0, 1.0, 2.5)  # error: [E0220]
    v = np.array([[1, 2], [3]])  # error: [E0220]
    w = np.eye(n, N=3)  # error: [E0221]
    x = np.arange(n, dtype=np.bool_)  # error: [E0222]
    y = a.astype()  # error: [E0219]
    z = np.copy(n)  # error: [E0220]
    return n
