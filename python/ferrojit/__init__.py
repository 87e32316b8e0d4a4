"""ferrojit: a JIT compiler for numeric Python.

Decorate a function with ``@jit``; its first call with new argument types
compiles it from source to machine code, later calls run that code.
"""

import functools

from ._native import (
    CompileError,
    Dispatcher,
    InternalError,
    RaceWarning,
    TypingError,
    UnsupportedError,
    get_num_threads,
    set_num_threads,
)

__all__ = [
    "jit",
    "njit",
    "prange",
    "CompileError",
    "TypingError",
    "UnsupportedError",
    "InternalError",
    "RaceWarning",
    "get_num_threads",
    "set_num_threads",
]

__version__ = "0.1.0"


def prange(*args):
    """``range`` for a loop whose iterations are independent.

    Inside ``@jit`` code its iterations run on several threads (README: prange);
    called from plain Python (``f.py_func``) it is ``range``.
    """
    return range(*args)


def jit(
    signature_or_function=None,
    *,
    boundscheck=True,
    wraparound=True,
    parallel=False,
    fastmath=False,
    cache=False,
    nogil=False,
    error_model="python",
    nopython=True,
    inline="never",
):
    """Compile a function to machine code.

    Usable as ``@jit``, ``@jit()``, ``@jit(boundscheck=False, ...)``, or with
    explicit signatures, compiled at once: ``@jit("float64(float64[:])")`` or a
    list of them.
    """
    options = dict(
        boundscheck=boundscheck,
        wraparound=wraparound,
        parallel=parallel,
        fastmath=fastmath,
        cache=cache,
        nogil=nogil,
        error_model=error_model,
        nopython=nopython,
        inline=inline,
    )
    if signature_or_function is None:
        signatures = []
    elif isinstance(signature_or_function, str):
        signatures = [signature_or_function]
    elif isinstance(signature_or_function, (list, tuple)):
        signatures = list(signature_or_function)
        for signature in signatures:
            if not isinstance(signature, str):
                raise TypeError(
                    f"a signature must be a string such as 'float64(float64[:])', "
                    f"not {type(signature).__name__}"
                )
    elif callable(signature_or_function):
        return _dispatcher(signature_or_function, [], options)
    else:
        raise TypeError(
            "@jit takes a function, a signature string or a list of them, "
            f"not {type(signature_or_function).__name__}"
        )

    def decorator(func):
        return _dispatcher(func, signatures, options)

    return decorator


njit = jit


def _dispatcher(func, signatures, options):
    dispatcher = Dispatcher(func, **options)
    functools.update_wrapper(dispatcher, func)
    for signature in signatures:
        dispatcher.compile(signature)
    return dispatcher
