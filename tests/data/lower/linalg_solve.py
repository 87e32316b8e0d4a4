# signature: (float64[:, ::1], float32[:])
# `np.linalg.solve`: the square check (LinAlgError) and the extents check
# (NumPy's ValueError) before anything is made, `b` converted to float64, then
# one runtime kernel writing a new array (a singular matrix raises from it).
def linalg_solve(a, b):
    return np.linalg.solve(a, b)
