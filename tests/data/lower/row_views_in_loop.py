# signature: (float64[:, ::1],)
def row_views_in_loop(a):
    for i in range(a.shape[0]):
        a[i, :] = 0.0
