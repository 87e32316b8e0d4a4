# signature: (float64[::1],)
from ferrojit import prange


def prange_sum(x):
    # The body is outlined into `prange_sum.prange0` (the chunk lo..hi); the
    # reduction `s` starts at 0.0 there, its update may be reassociated, and the
    # partials are added to `s` in chunk order after the parallel for.
    s = 0.0
    for i in prange(x.shape[0]):
        s += x[i]
    return s
