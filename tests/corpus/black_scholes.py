# signature: (float64[:], float64[:], float64[:], float64, float64, float64[:], float64[:])
import math

from ferrojit import jit


@jit
def black_scholes(price, strike, t, rate, vol, call, put):
    inv_sqrt2 = 1.0 / math.sqrt(2.0)
    for i in range(price.shape[0]):
        s = price[i]
        x = strike[i]
        sqrt_t = math.sqrt(t[i])
        d1 = (math.log(s / x) + (rate + 0.5 * vol * vol) * t[i]) / (vol * sqrt_t)
        d2 = d1 - vol * sqrt_t
        cnd1 = 0.5 * (1.0 + math.erf(d1 * inv_sqrt2))
        cnd2 = 0.5 * (1.0 + math.erf(d2 * inv_sqrt2))
        discounted = x * math.exp(-rate * t[i])
        call[i] = s * cnd1 - discounted * cnd2
        put[i] = discounted * (1.0 - cnd2) - s * (1.0 - cnd1)
