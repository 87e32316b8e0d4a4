def kernel(a, *rest, scale=2.0, **options):
    return a[0] * scale
