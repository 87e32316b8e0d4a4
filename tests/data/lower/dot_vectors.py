# signature: (float64[::1], float64[:])
# `np.dot` of two vectors: a number, summed in a loop in order (no kernel call).
def dot_vectors(x, y):
    return np.dot(x, y)
