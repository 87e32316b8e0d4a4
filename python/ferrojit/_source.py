"""The source text of a decorated function, checked against the code Python runs.

``inspect`` reads the file as it is on disk now, which may not be what Python
loaded (the file was edited after import). ferrojit must never compile other
code than the function's own, so the text found is compiled again with
CPython and its code object compared with ``func.__code__``: the whole file as
an import compiles it, or where that gives other code (IPython compiles each
statement of a cell on its own), the function alone in a scope like its own.
This runs once, when ``@jit`` decorates (``Dispatcher.__init__`` calls
``capture``); the text is kept for the compiles that come later.
"""

import __future__
import ast
import dis
import inspect
import itertools

_FUTURE_FLAGS = 0
for _name in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _name).compiler_flag

_OUTER = "__ferrojit_outer__"
# Python 3.12 added type parameters to the nodes built here.
_NO_TYPE_PARAMS = {"type_params": []} if "type_params" in ast.FunctionDef._fields else {}


def capture(func):
    """``("ok", (path, text, first_line, lambda_span))``, ``("missing", None)`` or
    ``("changed", path)``.

    ``text`` is the function's source lines (decorators included) starting at
    line ``first_line`` of ``path``; for a lambda, ``lambda_span`` is the UTF-8
    byte range of the lambda expression in ``text``, else None.
    """
    code = func.__code__
    try:
        path = inspect.getsourcefile(code) or code.co_filename
        lines, index = inspect.findsource(code)
    except (OSError, TypeError):
        return ("missing", None)
    first_line = index + 1
    module = _compiled_file(code.co_filename, "".join(lines))
    found = None
    if module is not None:
        found = next(
            (
                (parent, c)
                for parent, c in _code_at(module, code.co_name, code.co_firstlineno)
                if _same_code(c, code)
            ),
            None,
        )
    if found is not None:
        if code.co_name != "<lambda>":
            return ("ok", (path, _def_text(lines, index, *found), first_line, None))
        text = "".join(inspect.getblock(lines[index:]))
        span = _lambda_of(code, text, first_line)
        return ("ok", (path, text, first_line, span)) if span else ("missing", None)
    # Not compiled as one file (IPython compiles each statement of a cell on its
    # own, and a cell with magics is no Python file): the function's own text is
    # compiled in a scope like its own instead.
    text = "".join(inspect.getblock(lines[index:]))
    if code.co_name == "<lambda>":
        span = _matching_lambda(func, text)
        return ("ok", (path, text, first_line, span)) if span else ("changed", path)
    return ("ok", (path, text, first_line, None)) if _matches_def(func, text) else ("changed", path)


_last_file = (None, None, None)


def _compiled_file(filename, source):
    """The module code of a file's text, as an import compiles it (the code of
    a function depends on its module: in 3.11+ ``m.f()`` compiles differently
    when ``m`` is imported). The last file is kept: a module decorates its
    functions one after another."""
    global _last_file
    if _last_file[:2] != (filename, source):
        try:
            module = compile(source, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            module = None
        _last_file = (filename, source, module)
    return _last_file[2]


def _code_at(code, name, first_line):
    """(enclosing code, code) of each code object named `name` from `first_line`."""
    for const in code.co_consts:
        if isinstance(const, type(code)):
            if const.co_name == name and const.co_firstlineno == first_line:
                yield code, const
            yield from _code_at(const, name, first_line)


def _def_text(lines, index, parent, code):
    """The text of the def statement from ``lines[index]`` (its decorators)
    that CPython compiled, from these very lines, to `code` inside `parent`.

    ``inspect.getblock`` finds where the def ends with Python's pure-Python
    tokenizer: a third of a millisecond for a ten-line kernel, as long as typing
    and lowering it. CPython has the end already: the instruction of `parent`
    that loads `code` (to make the function) has the position of the whole def
    statement, closing brackets included. The tokenizer is only the fallback
    where that instruction is not found (Python before 3.11 keeps no positions).
    """
    offset = _load_const_offset(parent, code)
    if offset is not None:
        _, end_line, _, _ = next(itertools.islice(parent.co_positions(), offset // 2, None))
        if end_line is not None and end_line > index:
            return "".join(lines[index:end_line])
    return "".join(inspect.getblock(lines[index:]))


_LOAD_CONST = dis.opmap["LOAD_CONST"]
_EXTENDED_ARG = dis.opmap["EXTENDED_ARG"]


def _load_const_offset(parent, code):
    """The byte offset in ``parent.co_code`` of the ``LOAD_CONST`` of `code`, or None."""
    if not hasattr(parent, "co_positions"):
        return None
    k = next(i for i, const in enumerate(parent.co_consts) if const is code)
    raw = parent.co_code
    # Instructions are two bytes, opcode then argument; an argument above 255
    # has its higher bytes in the EXTENDED_ARG instructions before it.
    pattern = bytes([_LOAD_CONST, k & 0xFF])
    at = raw.find(pattern)
    while at >= 0:
        if at % 2 == 0:
            high, shift, before = 0, 0, at - 2
            while before >= 0 and raw[before] == _EXTENDED_ARG:
                high |= raw[before + 1] << shift
                shift += 8
                before -= 2
            if high == k >> 8:
                return at
        at = raw.find(pattern, at + 1)
    return None


def _lambda_of(code, text, first_line):
    """The byte range in `text` of the lambda compiled to `code`: the smallest
    one with its parameters that holds every position the code's instructions
    come from."""
    encoded = text.encode()
    line_starts = _line_starts(encoded)
    offsets = []
    for instruction in dis.get_instructions(code):
        line, end_line, col, end_col = instruction.positions or (None,) * 4
        # Instructions of no expression (RESUME, the implicit return) have an empty position.
        if None in (line, col) or (line, col) == (end_line, end_col):
            continue
        index = line - first_line
        if 0 <= index < len(line_starts) - 1:
            offsets.append(line_starts[index] + col)
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    best = None
    for start, end, node in _lambdas(text, encoded):
        a = node.args
        names = tuple(p.arg for p in a.posonlyargs + a.args + a.kwonlyargs)
        if names != params or not all(start <= o < end for o in offsets):
            continue
        if best is None or end - start < best[1] - best[0]:
            best = (start, end)
    return best


def _line_starts(encoded):
    starts = [0]
    for line in encoded.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _parse(text, mode="exec"):
    """The AST of `text`, or None. An indented block is parsed under ``if 1:``."""
    indented = text[:1] in (" ", "\t")
    try:
        tree = ast.parse("if 1:\n" + text if indented else text, mode=mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if indented:
        tree.body = tree.body[0].body
        ast.increment_lineno(tree, -1)
    return tree


def _matches_def(func, text):
    tree = _parse(text)
    if tree is None or len(tree.body) != 1:
        return False
    node = tree.body[0]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    return any(_same_code(c, func.__code__) for c in _compiled(func, node, in_class=True))


def _matching_lambda(func, text):
    """The byte range in `text` of a lambda whose code is `func.__code__`."""
    encoded = text.encode()
    for start, end, node in _lambdas(text, encoded):
        if any(_same_code(c, func.__code__) for c in _compiled(func, node, in_class=False)):
            return (start, end)
    return None


def _lambdas(text, encoded):
    """(start, end, node) of every lambda expression found in `text`.

    ``inspect`` gives the whole line(s) of a lambda, which parse as statements
    unless the lambda is one line of a longer expression (``b=lambda z: z,``);
    then each ``lambda`` keyword is tried with the longest text after it that
    parses as a lambda (a longer one may parse as a tuple: ``lambda a: a[0],``).
    """
    line_starts = _line_starts(encoded)

    def offset(lineno, col):
        return line_starts[lineno - 1] + col

    tree = _parse(text)
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Lambda):
                yield (
                    offset(node.lineno, node.col_offset),
                    offset(node.end_lineno, node.end_col_offset),
                    node,
                )
        return
    start = encoded.find(b"lambda")
    while start >= 0:
        if start == 0 or not (encoded[start - 1 : start].isalnum() or encoded[start - 1 : start] == b"_"):
            for end in range(len(encoded), start, -1):
                try:
                    piece = encoded[start:end].decode()
                    node = ast.parse("(" + piece + ")", mode="eval").body
                except (SyntaxError, UnicodeDecodeError, ValueError):
                    continue
                if isinstance(node, ast.Lambda):
                    yield (start, end, node)
                    break
        start = encoded.find(b"lambda", start + 1)


def _compiled(func, node, in_class):
    """Code objects named like `func` compiled from `node` in a scope like its own:
    inside its class (for name mangling and ``super()``) when it is a method, and
    inside a function that binds its free variables (so they compile as free
    variables, not globals) when it has any. A lambda is returned by that function."""
    code = func.__code__
    body = node
    parts = func.__qualname__.split(".")
    if in_class and len(parts) > 1 and parts[-2] != "<locals>":
        body = ast.ClassDef(
            name=parts[-2], bases=[], keywords=[], body=[node], decorator_list=[], **_NO_TYPE_PARAMS
        )
    elif not in_class:
        body = ast.Return(value=node)
    free = [
        name
        for name in code.co_freevars
        if not (name == "__class__" and isinstance(body, ast.ClassDef))
    ]
    # A def is not wrapped without need: the wrapper would bind its name, and
    # the function's references to itself would become free variables.
    if free or isinstance(body, ast.Return):
        bind = [
            ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=ast.Constant(None))
            for name in free
        ]
        args = ast.arguments(
            posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]
        )
        body = ast.FunctionDef(
            name=_OUTER, args=args, body=bind + [body], decorator_list=[], returns=None, **_NO_TYPE_PARAMS
        )
    module = ast.fix_missing_locations(ast.Module(body=[body], type_ignores=[]))
    try:
        compiled = compile(
            module, code.co_filename, "exec", flags=code.co_flags & _FUTURE_FLAGS, dont_inherit=True
        )
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError):
        return
    yield from _code_named(compiled, code.co_name)


def _code_named(code, name):
    for const in code.co_consts:
        if isinstance(const, type(code)):
            if const.co_name == name:
                yield const
            yield from _code_named(const, name)


def _same_code(a, b):
    return (
        a.co_code == b.co_code
        and a.co_names == b.co_names
        and a.co_varnames == b.co_varnames
        and a.co_freevars == b.co_freevars
        and a.co_cellvars == b.co_cellvars
        and a.co_argcount == b.co_argcount
        and a.co_kwonlyargcount == b.co_kwonlyargcount
        and _same_const(a.co_consts, b.co_consts)
    )


def _same_const(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, type(_same_code.__code__)):
        return _same_code(a, b)
    if isinstance(a, (tuple, frozenset)):
        if len(a) != len(b):
            return False
        if isinstance(a, frozenset):
            a, b = sorted(a, key=repr), sorted(b, key=repr)
        return all(_same_const(x, y) for x, y in zip(a, b))
    # repr tells -0.0 from 0.0 and compares nan with itself.
    if isinstance(a, (float, complex)):
        return repr(a) == repr(b)
    return a == b
