# signature: (float64[::1], float64[::1], float64[:])
# `np.add(a, np.sqrt(b), out=c)`: the operator's node computed straight into
# `c`; the ufunc's inputs and `c` shape-checked together (then `c` must not
# grow), the only `alloc` is the copy of the inputs taken when their bytes
# overlap `c`'s; the value is `c`.
def ufunc_out(a, b, c):
    return np.add(a, np.sqrt(b), out=c)
