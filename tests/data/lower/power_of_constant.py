# signature: (int64)
# A constant float base to an int exponent of a few known values: C's `pow`
# of each, computed at compile time and selected (`i % 4` is 0..3); an
# exponent of unknown range calls `pow` (with CPython's zero-base check).
def power_of_constant(i):
    return 1.5 ** (i % 4) + 2.0 ** i
