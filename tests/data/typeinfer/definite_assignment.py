# signature: (int64, boolean)
def definite_assignment(n, c):
    return last(n) + branch(c, n) + loops(n) + unpack(c) + jumps(n, c) + aug(c)


def last(n):
    for i in range(n):
        pass
    return i  # unbound: i


def branch(c, n):
    if c:
        a = np.zeros(n)
        b = 1
    else:
        b = 2
    a[0] = 5.0  # unbound: a
    return b


def loops(n):
    # A read in a later iteration of a local assigned later in an earlier one.
    k = 0
    while k < n:
        if k > 0:
            n = n + prev  # unbound: prev
        prev = k
        k += 1
    total = 0
    for j in range(n):
        if j > 2:
            break
        seen = j
    else_value = seen  # unbound: seen
    while True:
        done = 1
        break
    return total + else_value + done


def unpack(c):
    if c:
        p, (q, r) = 1, (2.5, 3)
    else:
        p, (q, r) = 4, (5.0, 6)
    z = complex(p, q) + r
    if c:
        w = z
    return int(p + r + w.real)  # unbound: w


def jumps(n, c):
    for i in range(n):
        if c:
            x = i
        else:
            continue
        y = x
    if c:
        return 0
    elif n > 2:
        v = 1
    else:
        raise ValueError("no")
    return v + y  # unbound: y


def aug(c):
    if c:
        s = 1
    s += 2  # unbound: s
    t = 0
    t += s
    return t
