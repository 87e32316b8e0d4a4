"""Set before any test imports ferrojit: the memory tests read `live_buffers()`, which counts
only when this is set at import (counting costs allocation speed, so it is off by default)."""

import os

os.environ["FERROJIT_COUNT_BUFFERS"] = "1"
