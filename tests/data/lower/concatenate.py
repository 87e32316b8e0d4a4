# signature: (float64[:, :], int32[:, ::1])
# `np.concatenate` along axis 1: the other extents compared first (NumPy's
# message), then each array copied into its part of one new C array, the
# int32 one converted on the way.
def concatenate(a, b):
    return np.concatenate((a, b), axis=1)
