def kernel(a, out):
    for i in range(a.shape[0]):
        out[i, :] = a[i, 1:-1]
    everything = ...
