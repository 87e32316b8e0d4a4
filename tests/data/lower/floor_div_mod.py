# signature: (int64, int64, float64, float64)
def floor_div_mod(a, b, x, y):
    return a // b, a % b, x // y, x % y, a // 4, a / b
