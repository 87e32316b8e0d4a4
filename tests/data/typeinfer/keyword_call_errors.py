# signature: (float64[:],)
def keyword_call_errors(a):
    scaled()  # error: [E0219]
    scaled(a, 1, 2)  # error: [E0219]
    scaled(a, b=1)  # error: [E0219]
    scaled(a, a=a)  # error: [E0219]
    needs_key(a)  # error: [E0219]
    return 0

def scaled(a, n=3, *, scale=1.0):
    return n * scale

def needs_key(a, *, k):
    return k
