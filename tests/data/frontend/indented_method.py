    @staticmethod
    @jit(boundscheck=False)
    def step(x, v, dt):
        x += v * dt
        return x if x is not v else 0.0
