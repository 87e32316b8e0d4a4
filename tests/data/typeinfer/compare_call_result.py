# signature: (float64, uint8[:])
def compare_call_result(x, a):
    # The callee is typed after this function starts: each comparison waits
    # for the call's type instead of taking it for a number.
    m = same(x) < a  # revealed: array(bool, 1d, C)
    n = x < same(a)  # revealed: array(bool, 1d, C)
    b = same(x) < 2.0  # revealed: bool
    return m

def same(v):
    return v
