# signature: (int64,)
def maybe(n):  # error: [E0204]
    if n > 0:
        return n
    elif n < 0:
        return  # error: [E0203]
