# signature: (float64[:, ::1],)
from ferrojit import jit


@jit
def floyd_warshall(dist):
    n = dist.shape[0]
    for k in range(n):
        for i in range(n):
            dik = dist[i, k]
            for j in range(n):
                through = dik + dist[k, j]
                if through < dist[i, j]:
                    dist[i, j] = through
