# signature: (float64, float64, float64, float64, int64, int64, int64)
import numpy as np

from ferrojit import jit


@jit
def mandelbrot(x0, x1, y0, y1, width, height, max_iter):
    counts = np.zeros((height, width), dtype=np.int64)
    dx = (x1 - x0) / width
    dy = (y1 - y0) / height
    for row in range(height):
        ci = y0 + row * dy
        for col in range(width):
            cr = x0 + col * dx
            zr = 0.0
            zi = 0.0
            n = 0
            while n < max_iter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                n += 1
            counts[row, col] = n
    return counts
