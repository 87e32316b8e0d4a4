# signature: (int32, float32, complex128)
def builtins(i, x, z):
    r = math.sqrt(i)  # revealed: float64
    fl = math.floor(x)  # revealed: int64
    nan = math.isnan(x)  # revealed: bool
    mag = abs(z)  # revealed: float64
    ai = abs(i)  # revealed: int32
    r0 = round(x)  # revealed: int64
    r2 = round(x, 2)  # revealed: float32
    lo = min(i, x)  # revealed: float64
    hi = max(i, 3)  # revealed: int32
    n = int(x)  # revealed: int64
    c = complex(x, i)  # revealed: complex128
    f32 = np.float32(i)  # revealed: float32
    re = z.real  # revealed: float64
    im = x.imag  # revealed: float32
    p = math.pow(x, 2)  # revealed: float64
    t = math.pi * 2  # revealed: float64
    return r
