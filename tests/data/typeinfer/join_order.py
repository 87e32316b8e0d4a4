# signature: (float64[:, ::1], float64[::1, :], float64[:], float64[:, :])
# The order of a joined array: C when every part is C or has one axis (which
# decides nothing), else NumPy's order for all the parts' strides, known only
# at run time (A).
def join_order(c, f, v, s):
    cc = np.concatenate((c, c))  # revealed: array(float64, 2d, C)
    cv = np.vstack((c, v))  # revealed: array(float64, 2d, C)
    vs = np.stack((v, v))  # revealed: array(float64, 2d, C)
    flat = np.concatenate((f, s), axis=None)  # revealed: array(float64, 1d, C)
    ff = np.concatenate((f, f), axis=-1)  # revealed: array(float64, 2d, A)
    cf = np.hstack((c, f))  # revealed: array(float64, 2d, A)
    ss = np.stack((s, s))  # revealed: array(float64, 3d, A)
    return cc, cv, vs, flat, ff, cf, ss
