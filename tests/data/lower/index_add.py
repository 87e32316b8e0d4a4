# signature: (float64[::1], int64[::1])
def index_add(a, idx):
    a[idx] += 1
