"""Traceback entries for exceptions raised inside compiled functions.

Compiled code has no Python frames, so `pymod` passes the lines an exception
went through (where it was raised, then each call it left) and this module
raises it through tiny functions whose code claims those files, names and
lines, as Cython does. Only exceptions pay for this; a call that returns
normally never gets here.
"""

import functools
import types


def _raise():
    raise __exc__  # noqa: F821 (a global of the function made from this code)


def _call():
    __next__()  # noqa: F821


def _lines_only(code):
    """A location table putting every instruction on the first line, without
    columns (CPython 3.11+ format: one NO_COLUMNS entry per 8 code units, line
    delta 0): a traceback then shows the user's line without carets that would
    come from this module's text."""
    units = len(code.co_code) // 2
    table = bytearray()
    while units > 0:
        n = min(units, 8)
        table += bytes([0x80 | (13 << 3) | (n - 1), 0])
        units -= n
    return bytes(table)


@functools.lru_cache(maxsize=1024)
def _code(template, filename, name, line):
    code = template.__code__
    return code.replace(
        co_filename=filename,
        co_name=name,
        co_qualname=name,
        co_firstlineno=line,
        co_linetable=_lines_only(code),
    )


def with_frames(exc, frames):
    """`exc` with one traceback entry per `(function, file, line)` of `frames`
    (innermost first), the outermost on top as Python shows calls."""
    function = None
    for name, filename, line in frames:
        if function is None:
            function = types.FunctionType(_code(_raise, filename, name, line), {"__exc__": exc})
        else:
            function = types.FunctionType(_code(_call, filename, name, line), {"__next__": function})
    try:
        function()
    except BaseException as raised:
        # The first entry is this function's own frame.
        return raised.with_traceback(raised.__traceback__.tb_next)
    return exc
