# signature: (complex128[::1], complex128[::1])
# NumPy's `**` of an array by the Python int 2 is `np.square` (the array
# loop's product, `cmul.loop`, as `*` of arrays), by 0.5 `np.sqrt` (`csqrt`);
# `np.power(z, 0.5)` is npy_cpow (`cpow` behind its cases).
def power_operator(z, w):
    return z ** 2, z * w, z ** 0.5, np.power(z, 0.5)
