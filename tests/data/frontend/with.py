def kernel(a, lock):
    with lock:
        a[0] += 1
