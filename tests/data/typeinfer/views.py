# signature: (float64[:, ::1], float64[::1, :], complex128[:], int32[:, :], float64[:, ::1])
def views(c, f, z, s, r):
    row = c[1]  # revealed: array(float64, 1d, C)
    block = c[1:3, :]  # revealed: array(float64, 2d, C)
    part = c[2, 1:4]  # revealed: array(float64, 1d, C)
    cols = c[:, 1:3]  # revealed: array(float64, 2d, A)
    col = c[:, 0]  # revealed: array(float64, 1d, A)
    skip = c[::2]  # revealed: array(float64, 2d, A)
    fcol = f[:, 3]  # revealed: array(float64, 1d, F)
    fcols = f[:, 1:3]  # revealed: array(float64, 2d, F)
    frow = f[0]  # revealed: array(float64, 1d, A)
    last = c[..., -1]  # revealed: array(float64, 1d, A)
    added = c[None]  # revealed: array(float64, 3d, A)
    whole = c[...]  # revealed: array(float64, 2d, C)
    t = c.T  # revealed: array(float64, 2d, F)
    re = z.real  # revealed: array(float64, 1d, A)
    flat = s.ravel()  # revealed: array(int32, 1d, C)
    shaped = c.reshape(-1, 2)  # revealed: array(float64, 2d, C)
    flipped = np.flip(c)  # revealed: array(float64, 2d, A)
    perm = np.transpose(c, (1, 0))  # revealed: array(float64, 2d, F)
    r[:] = 0.0
    r[0] = c[1]
    x = c[1, 2]  # revealed: float64
    return x
