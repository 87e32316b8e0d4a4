# signature: (float64[:, :], complex128[:, :])
def factorization_errors(a, z):
    n = np.linalg.norm(a, ord=2)  # error: [E0206]
    s = np.linalg.solve(a)  # error: [E0219]
    t = np.linalg.solve(a[0], a)  # error: [E0206]
    r = np.linalg.lstsq(a, a, 1.0, rcond=2.0)  # error: [E0219]
    q = np.linalg.lstsq(a, a, rcond=z)  # error: [E0220]
    return np.linalg.inv(z)
