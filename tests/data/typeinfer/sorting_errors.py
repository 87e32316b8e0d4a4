# signature: (float64[:, :], complex128[:], int64, float64[:])
def sorting_errors(a, z, k, x):
    s = np.sort(z)  # error: [E0280]
    t = np.sort(a, kind="bogo")  # error: [E0281]
    u = np.searchsorted(a, 1.0)  # error: [E0282]
    v = np.argsort(a, axis=k)  # error: [E0283]
    w = np.median(a, axis=2)  # error: [E0238]
    a.sort(axis=None)  # error: [E0283]
    i = np.searchsorted(x, 2.0, side="up")  # error: [E0281]
    r = np.unique(a, True)  # error: [E0219]
    c = np.concatenate((a, x))  # error: [E0286]
    d = np.vstack(a)  # error: [E0285]
    b = np.bincount(x)  # error: [E0284]
    h = np.histogram(x, bins=2.5)  # error: [E0220]
    g = np.histogram(x, density=True)  # error: [E0221]
    return np.sort(a, axis=None), np.median(a, axis=0), np.searchsorted(x, a), np.histogram(a, 5, (0, 1.5)), np.bincount(x.astype(np.int32), x), np.hstack((x, x)), np.tril(a, -1)
