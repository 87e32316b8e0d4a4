# signature: (int64,)
def unbound_local(n):
    # `i` stays unassigned when the range is empty: only `i` gets a flag,
    # and only the read after the loop tests it; `s` needs none.
    s = 0
    for i in range(n):
        s += i
    return s + i
