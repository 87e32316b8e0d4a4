# signature: (float32[:], int64[:])
# `np.histogram` with an integer `bins`: the check that it is positive, the
# edges allocated for the kernel to fill, a packed copy of the data, then one
# kernel; `np.bincount`: a loop for the largest value (raising on a negative
# one), then a loop adding one per value.
def histogram_bincount(a, x):
    return np.histogram(a, 4), np.bincount(x)
