# signature: (complex128[:], int64[:], int64)
from ferrojit import jit


@jit
def mandelbrot_complex(cs, out, max_iter):
    for i in range(cs.shape[0]):
        c = cs[i]
        z = 0j
        n = 0
        while n < max_iter:
            if abs(z) > 2.0:
                break
            z = z * z + c
            n += 1
        out[i] = n
