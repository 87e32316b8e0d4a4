"""ferrojit on a real kernel: a 5x5 convolution of a 1000x1000 image.

Run with `make demo`. Pure Python is far too slow for the full image, so it is
timed on a 200x200 one and its time per output pixel is scaled up.
"""

import time

import numpy as np

from ferrojit import jit


@jit
def convolve(img, k, out):
    n, m = img.shape
    r = k.shape[0] // 2
    for i in range(r, n - r):
        for j in range(r, m - r):
            acc = 0.0
            for a in range(-r, r + 1):
                for b in range(-r, r + 1):
                    acc += img[i + a, j + b] * k[r + a, r + b]
            out[i, j] = acc


def interior_pixels(shape, ksize):
    r = ksize // 2
    return (shape[0] - 2 * r) * (shape[1] - 2 * r)


def best_of(repeats, func, *args):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func(*args)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    rng = np.random.default_rng(0)
    kernel = rng.random((5, 5))
    kernel /= kernel.sum()
    image = rng.random((1000, 1000))
    out = np.zeros_like(image)

    start = time.perf_counter()
    convolve(image, kernel, out)
    first_call = time.perf_counter() - start
    jit_time = best_of(10, convolve, image, kernel, out)

    small = image[:200, :200].copy()
    small_out = np.zeros_like(small)
    python_small = best_of(1, convolve.py_func, small, kernel, small_out)
    python_time = python_small * interior_pixels(image.shape, 5) / interior_pixels(small.shape, 5)

    jit_small_out = np.zeros_like(small)
    convolve(small, kernel, jit_small_out)
    np.testing.assert_allclose(jit_small_out, small_out, rtol=1e-12)
    np.testing.assert_allclose(out[:200, :200][2:-2, 2:-2], small_out[2:-2, 2:-2], rtol=1e-12)

    print("5x5 convolution of a 1000x1000 float64 image")
    print(f"  first call (compile + run): {first_call * 1e3:8.1f} ms")
    print(f"  ferrojit, compiled:         {jit_time * 1e3:8.2f} ms")
    print(f"  pure Python (from 200x200): {python_time * 1e3:8.0f} ms")
    print(f"  speed-up over pure Python:  {python_time / jit_time:8.0f}x")
    print("  results agree with pure Python: yes")


if __name__ == "__main__":
    main()
