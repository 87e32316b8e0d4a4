# signature: (complex128, complex64[::1])
# NumPy's complex functions call the C library's (`cexp`, `clog` scaled for
# log2, `csqrt`), as NumPy's loops do; `**` of complex128 numbers is CPython's
# (c_powu, _Py_c_quot, the polar form).
def complex_functions(z, a):
    return np.exp(z), np.log2(z), np.sqrt(a), z ** z
