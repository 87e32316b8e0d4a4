def kernel(a):
    for i in range(len(a)):
        print(a[i])
