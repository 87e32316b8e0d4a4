# signature: (int8[:], uint8[:], int64[:], uint64[:], int32[:], float32[:], int16[:], complex64[:])
def strong(i8, u8, i64, u64, i32, f32, i16, c64):
    a = i8[0] + u8[0]  # revealed: int16
    b = i64[0] + u64[0]  # revealed: float64
    c = i32[0] * f32[0]  # revealed: float64
    d = i16[0] * f32[0]  # revealed: float32
    e = c64[0] + 1.5  # revealed: complex64
    f = c64[0] * i64[0]  # revealed: complex128
    g = i8[0] // u8[0]  # revealed: int16
    h = i8[0] << i8[0]  # revealed: int8
    k = i8[0] < u64[0]  # revealed: bool
    return a
