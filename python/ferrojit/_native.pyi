"""Stubs for the native module; import these names from ``ferrojit``."""

from typing import Any, Callable, List, Tuple

class CompileError(TypeError): ...
class TypingError(CompileError): ...
class UnsupportedError(CompileError): ...
class InternalError(CompileError): ...
class RaceWarning(UserWarning): ...

class Dispatcher:
    """What ``@jit`` returns: compiles one specialization per argument types."""

    __name__: str
    __qualname__: str
    __module__: str
    __doc__: str | None
    __wrapped__: Callable[..., Any]

    def __init__(
        self,
        py_func: Callable[..., Any],
        *,
        boundscheck: bool = True,
        wraparound: bool = True,
        parallel: bool = False,
        fastmath: bool = False,
        cache: bool = False,
        nogil: bool = False,
        error_model: str = "python",
        nopython: bool = True,
        inline: Any = None,
    ) -> None: ...
    @property
    def py_func(self) -> Callable[..., Any]: ...
    @property
    def signatures(self) -> List[Tuple[str, ...]]:
        """One tuple of argument type names per compiled specialization."""
    @property
    def compile_count(self) -> int:
        """How many times this function was compiled (any signature, failures included)."""
    @property
    def checked_copies_compiled(self) -> int:
        """How many checked copies of loops have been compiled (each when a call first runs it)."""
    def compile(self, signature: str) -> None:
        """Compile now for a signature such as ``"float64(float64[:], int64)"``."""
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

def live_buffers() -> int:
    """How many array buffers allocated by compiled code are alive; raises RuntimeError unless
    FERROJIT_COUNT_BUFFERS=1 was set before ferrojit was imported."""

def set_num_threads(n: int) -> None:
    """Limit the prange loops started by the calling thread to ``n`` threads (1 to the pool's size)."""

def get_num_threads() -> int:
    """How many threads the prange loops started by the calling thread use."""
