# signature: (float64[:], int64, float64[:])
def window_views(a, w, out):
    # `a` is never reassigned, so its owner lives for the call and the view
    # made per window (`$for0.seq0`) takes no reference: no retain, no release.
    for i in range(a.shape[0] - w + 1):
        s = 0.0
        for x in a[i : i + w]:
            s += x
        out[i] = s / w
