# signature: (int64,)
def while_break_continue(n):
    steps = 0
    while n != 1:
        if steps > 1000:
            break
        steps += 1
        if n % 2 == 0:
            n = n // 2
            continue
        n = 3 * n + 1
    return steps
