# signature: ((float64, float64), int32)
# options: boundscheck=False, wraparound=False
def tuple_index_checks_off(t, k):
    return t[k]
