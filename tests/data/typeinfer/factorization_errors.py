# signature: (float64[:, :], complex128[:, :])
def factorization_errors(a, z):
    d = np.linalg.det(z)  # error: [E0206]
    n = np.linalg.norm(a, ord=2)  # error: [E0206]
    s = np.linalg.solve(a)  # error: [E0219]
    t = np.linalg.solve(a[0], a)  # error: [E0206]
    return np.linalg.inv(a)
