"""The source text of a decorated function, checked against the code Python runs.

``inspect`` reads the file as it is on disk now, which may not be what Python
loaded (the file was edited after import). ferrojit must never compile other
code than the function's own, so the text found is compiled again with
CPython and its code object compared with ``func.__code__``. This runs once,
when ``@jit`` decorates (``Dispatcher.__init__`` calls ``capture``); the text
is kept for the compiles that come later.
"""

import __future__
import ast
import inspect

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
        lines, first_line = inspect.getsourcelines(code)
        path = inspect.getsourcefile(code) or code.co_filename
    except (OSError, TypeError):
        return ("missing", None)
    text = "".join(lines)
    first_line = max(first_line, 1)
    if code.co_name == "<lambda>":
        span = _matching_lambda(func, text)
        if span is None:
            return ("changed", path)
        return ("ok", (path, text, first_line, span))
    if not _matches_def(func, text):
        return ("changed", path)
    return ("ok", (path, text, first_line, None))


def _parse(text, mode="exec"):
    """The AST of `text`, or None. An indented block is parsed under ``if 1:``."""
    indented = text[:1] in (" ", "\t")
    try:
        tree = ast.parse("if 1:\n" + text if indented else text, mode=mode)
    except (SyntaxError, ValueError):
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
    parses as a lambda.
    """
    line_starts = [0]
    for line in encoded.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))

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
    """Code objects named like `func` compiled from `node`, inside a function that
    binds `func`'s free variables (so they compile as free variables, not
    globals) and, for a method, inside its class (for name mangling)."""
    code = func.__code__
    body = node
    parts = func.__qualname__.split(".")
    if in_class and len(parts) > 1 and parts[-2] != "<locals>":
        body = ast.ClassDef(
            name=parts[-2], bases=[], keywords=[], body=[node], decorator_list=[], **_NO_TYPE_PARAMS
        )
    elif not in_class:
        body = ast.Return(value=node)
    bind = [
        ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=ast.Constant(None))
        for name in code.co_freevars
        if not (name == "__class__" and isinstance(body, ast.ClassDef))
    ]
    outer = ast.FunctionDef(
        name=_OUTER,
        args=ast.arguments(
            posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]
        ),
        body=bind + [body],
        decorator_list=[],
        returns=None,
        **_NO_TYPE_PARAMS,
    )
    module = ast.fix_missing_locations(ast.Module(body=[outer], type_ignores=[]))
    try:
        compiled = compile(
            module, code.co_filename, "exec", flags=code.co_flags & _FUTURE_FLAGS, dont_inherit=True
        )
    except (SyntaxError, ValueError, TypeError):
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
