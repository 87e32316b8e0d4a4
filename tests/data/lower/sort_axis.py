# signature: (int32[:, :], float64[:])
# `np.sort` along axis 0 of a 2-d array: a packed copy with the axis moved
# last, one runtime sort kernel over its rows, then a C-ordered copy read
# with the axes put back; `np.searchsorted` reads its sorted array in place.
def sort_axis(a, x):
    s = np.sort(a, axis=0)
    return s, np.searchsorted(x, 2.5, side="right")
