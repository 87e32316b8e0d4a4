"""Every user-visible error: its exception type, and the text a user reads."""

import inspect
import re

import numpy as np
import pytest

import ferrojit
from ferrojit import jit


def not_decorated(x):
    return x + 1


# --- compile errors: file, line, column, source line, caret, help ---


def expected_position(func, construct):
    """(path, line, column) of the first occurrence of `construct` in `func`'s body."""
    lines, first = inspect.getsourcelines(func.py_func)
    body_start = next(i for i, text in enumerate(lines) if text.lstrip().startswith("def ")) + 1
    for offset, text in enumerate(lines[body_start:], start=body_start):
        if construct in text:
            return inspect.getsourcefile(func.py_func), first + offset, text.index(construct) + 1, text.rstrip("\n")
    raise AssertionError(f"{construct!r} not in the source of {func.__name__}")


def check_diagnostic(exc, func, construct):
    """The message names file:line:col, quotes the source line, puts `^` under
    `construct`, and offers help."""
    message = str(exc)
    path, line, col, source_line = expected_position(func, construct)
    assert f"{path}:{line}:{col}" in message, message
    shown = [i for i, text in enumerate(message.splitlines()) if text.endswith(source_line.strip()) and "|" in text]
    assert shown, f"source line {source_line!r} not shown in:\n{message}"
    lines = message.splitlines()
    quoted = lines[shown[0]]
    gutter = len(quoted) - len(source_line)
    caret_lines = [text for text in lines[shown[0] + 1:] if "^" in text]
    assert caret_lines, f"no caret in:\n{message}"
    assert caret_lines[0].index("^") - gutter == col - 1, f"caret not under {construct!r}:\n{message}"
    assert re.search(r"\bhelp\b", message), f"no help text in:\n{message}"


@jit
def uses_try(x):
    try:
        return x + 1
    except ValueError:
        return 0


@jit
def uses_with(x):
    with x as handle:
        return handle
    return x


@jit
def uses_yield(x):
    yield x


@jit
def uses_genexp(n):
    g = (i * 2 for i in range(n))
    return n


@jit
def uses_lambda(x):
    f = lambda y: y + 1  # noqa: E731
    return x


@jit
def calls_plain_python(x):
    return not_decorated(x)


@jit
def calls_print(x):
    print(x)
    return x


@jit
def uses_unknown_name(x):
    return x + name_that_is_not_defined  # noqa: F821


UNSUPPORTED = [
    (uses_try, "try"),
    (uses_with, "with"),
    (uses_yield, "yield"),
    (uses_genexp, "(i * 2 for i in range(n))"),
    (uses_lambda, "lambda"),
]


@pytest.mark.parametrize("func,construct", UNSUPPORTED, ids=[f.__name__ for f, _ in UNSUPPORTED])
def test_unsupported_syntax(func, construct):
    with pytest.raises(ferrojit.UnsupportedError) as info:
        func(3)
    assert isinstance(info.value, ferrojit.CompileError)
    check_diagnostic(info.value, func, construct)


def test_call_to_undecorated_function():
    with pytest.raises(ferrojit.CompileError) as info:
        calls_plain_python(3)
    assert "not_decorated" in str(info.value)
    assert "help: decorate `not_decorated` with @ferrojit.jit" in str(info.value)
    check_diagnostic(info.value, calls_plain_python, "not_decorated")


def test_call_to_builtin_does_not_suggest_decorating_it():
    with pytest.raises(ferrojit.CompileError) as info:
        calls_print(3)
    message = str(info.value)
    assert "call to unsupported function `print`" in message
    assert "decorate" not in message
    assert "builtin function `print`" in message
    assert "`print` is not supported in compiled code" in message
    assert "docs/language.md" in message
    check_diagnostic(info.value, calls_print, "print")


@jit
def numpy_gradient(x):
    return np.gradient(x)


def test_unsupported_numpy_function():
    with pytest.raises(ferrojit.TypingError) as info:
        numpy_gradient(np.ones(3))
    message = str(info.value)
    assert "error[E0114]: `numpy.gradient` is not supported by ferrojit" in message
    check_diagnostic(info.value, numpy_gradient, "np.gradient")


def test_unknown_name():
    with pytest.raises(ferrojit.TypingError) as info:
        uses_unknown_name(3)
    assert "name_that_is_not_defined" in str(info.value)
    check_diagnostic(info.value, uses_unknown_name, "name_that_is_not_defined")


def test_compile_error_is_not_cached_as_success():
    for _ in range(3):
        with pytest.raises(ferrojit.UnsupportedError):
            uses_try(3)


def test_exception_hierarchy():
    assert issubclass(ferrojit.CompileError, TypeError)
    assert issubclass(ferrojit.TypingError, ferrojit.CompileError)
    assert issubclass(ferrojit.UnsupportedError, ferrojit.CompileError)
    assert issubclass(ferrojit.InternalError, Exception)


@jit
def writes_readonly(a):
    a[0] = 1.0


def test_write_to_readonly_array_is_a_compile_error():
    a = np.zeros(3)
    a.flags.writeable = False
    with pytest.raises(ferrojit.CompileError) as info:
        writes_readonly(a)
    check_diagnostic(info.value, writes_readonly, "a[0]")
    assert a[0] == 0.0
    writable = np.zeros(3)
    writes_readonly(writable)
    assert writable[0] == 1.0


def test_function_without_source():
    namespace = {}
    exec("def made_by_exec(x):\n    return x + 1\n", namespace)
    f = jit(namespace["made_by_exec"])
    with pytest.raises(ferrojit.CompileError) as info:
        f(1)
    message = str(info.value).lower()
    assert "source" in message and re.search(r"\b(cannot|can't|could not|not)\b", message), message
    assert "made_by_exec" in str(info.value)


# --- argument errors ---


@jit
def takes_values(values, scale):
    return scale


@pytest.mark.parametrize(
    "bad,type_name",
    [([1.0, 2.0], "list"), ({"a": 1}, "dict"), ("text", "str"), (object(), "object")],
    ids=["list", "dict", "str", "object"],
)
def test_unsupported_argument_type_names_the_argument(bad, type_name):
    with pytest.raises(TypeError) as info:
        takes_values(bad, 2.0)
    assert "values" in str(info.value)
    assert type_name in str(info.value)
    with pytest.raises(TypeError) as info:
        takes_values(np.zeros(2), bad)
    assert "scale" in str(info.value)
    assert type_name in str(info.value)


def test_wrong_argument_count():
    with pytest.raises(TypeError):
        takes_values(np.zeros(2))
    with pytest.raises(TypeError):
        takes_values(np.zeros(2), 1.0, 3)
    assert takes_values(np.zeros(2), 1.5) == 1.5


# --- run-time errors ---


@jit
def get1(a, i):
    return a[i]


@jit
def get2(a, i, j):
    return a[i, j]


@jit
def set1(a, i, v):
    a[i] = v


def numpy_message(array, index):
    try:
        array[index]
    except IndexError as exc:
        return str(exc)
    raise AssertionError("NumPy did not raise")


@pytest.mark.parametrize("index", [7, -8, 100, -1000])
def test_index_error_has_numpy_message(index):
    a = np.arange(7.0)
    with pytest.raises(IndexError) as info:
        get1(a, index)
    assert str(info.value) == numpy_message(a, index)
    with pytest.raises(IndexError) as info:
        set1(a, index, 1.0)
    assert str(info.value) == numpy_message(a, index)
    np.testing.assert_array_equal(a, np.arange(7.0))


def test_index_error_on_second_axis():
    a = np.zeros((3, 4))
    for i, j in ((1, 4), (3, 0), (0, -5), (-4, 0)):
        with pytest.raises(IndexError) as info:
            get2(a, i, j)
        assert str(info.value) == numpy_message(a, (i, j))


def test_negative_index_wraps_once():
    a = np.arange(7.0)
    assert get1(a, -1) == 6.0
    assert get1(a, -7) == 0.0
    assert get1(a[::-1], -1) == 0.0
    assert get2(np.arange(12.0).reshape(3, 4), -1, -2) == 10.0
    set1(a, -2, 42.0)
    assert a[5] == 42.0


@jit(boundscheck=False, wraparound=False)
def unchecked_sum(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


@jit(boundscheck=False)
def unchecked_get(a, i):
    return a[i]


def test_boundscheck_false_runs_in_range():
    a = np.arange(10.0)
    assert unchecked_sum(a) == 45.0
    assert unchecked_sum(a[::3]) == 18.0
    assert unchecked_get(a, 3) == 3.0
    # wraparound stays on: a negative index is still adjusted.
    assert unchecked_get(a, -1) == 9.0


@jit
def int_floordiv(a, b):
    return a // b


@jit
def int_mod(a, b):
    return a % b


@jit
def true_div(a, b):
    return a / b


def cpython_message(func, *args):
    try:
        func(*args)
    except ZeroDivisionError as exc:
        return str(exc)
    raise AssertionError("CPython did not raise")


@pytest.mark.parametrize("func", [int_floordiv, int_mod, true_div], ids=["floordiv", "mod", "truediv"])
@pytest.mark.parametrize("args", [(7, 0), (-7, 0), (0, 0), (7.0, 0.0)], ids=["pos", "neg", "zero", "float"])
def test_division_by_zero_raises_cpython_message(func, args):
    with pytest.raises(ZeroDivisionError) as info:
        func(*args)
    assert str(info.value) == cpython_message(func.py_func, *args)


@jit(error_model="numpy")
def numpy_model_div(a, b):
    return a / b


@jit(error_model="numpy")
def numpy_model_floordiv(a, b):
    return a // b


def test_numpy_error_model_does_not_raise():
    assert numpy_model_div(1.0, 0.0) == np.inf
    assert np.isnan(numpy_model_div(0.0, 0.0))
    assert numpy_model_floordiv(5, 0) == 0


@jit
def raises_value_error(x):
    if x < 0:
        raise ValueError("x must not be negative")
    return x * 2


@jit
def raises_bare(x):
    if x > 10:
        raise RuntimeError
    return x


def test_raise_propagates():
    assert raises_value_error(4) == 8
    with pytest.raises(ValueError, match="^x must not be negative$"):
        raises_value_error(-1)
    assert raises_bare(1) == 1
    with pytest.raises(RuntimeError):
        raises_bare(11)


@jit
def caller_of_raiser(x):
    return raises_value_error(x) + 1


def test_raise_in_callee_reaches_caller():
    assert caller_of_raiser(1) == 3
    with pytest.raises(ValueError, match="^x must not be negative$"):
        caller_of_raiser(-5)


def test_errors_in_a_loop_leave_the_process_healthy():
    a = np.arange(7.0)
    for i in range(2000):
        with pytest.raises(IndexError):
            get1(a, 7 + i)
        with pytest.raises(ValueError):
            raises_value_error(-i - 1)
    assert get1(a, 3) == 3.0
