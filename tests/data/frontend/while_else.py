def find(a, v):
    i = 0
    while i < len(a):
        if a[i] == v:
            break
        i += 1
    else:
        return -1
    return i
