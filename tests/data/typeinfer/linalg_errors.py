# signature: (float64[:, :], int64[:, :], float64[:, :, :])
def linalg_errors(a, i, t):
    p = i @ i  # error: [E0206]
    q = np.dot(2.0, a)  # error: [E0206]
    r = np.matmul(t, a)  # error: [E0206]
    s = np.dot(a)  # error: [E0219]
    u = np.dot(a, a, out=a)  # error: [E0206]
    v = a @ a  # a float64 matrix
    w = a[0] @ a[:, 1]  # a number
    return v

