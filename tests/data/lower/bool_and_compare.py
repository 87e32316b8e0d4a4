# signature: (boolean[:], float64, float64, float64)
def bool_and_compare(mask, lo, v, hi):
    count = 0
    for i in range(mask.shape[0]):
        if mask[i] and lo <= v < hi:
            count += 1
        mask[i] = not mask[i]
    return count, v if v > 0.0 else -v
