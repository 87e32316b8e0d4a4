def kernel(a, n=3, w=np.ones(3), m=None, *, scale=-2.0, shape=(2, 3), name="x"):
    return a[0] * scale
