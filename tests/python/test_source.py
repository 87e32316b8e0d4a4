"""ferrojit compiles the code Python runs: the source is taken when `@jit` decorates and
checked against the function's code object; lambdas compile when their line can be found."""

import importlib.util
import linecache
import os
import subprocess
import sys

import numpy as np
import pytest

import ferrojit
from ferrojit import _source, jit


def load(tmp_path, name, text):
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rewrite(tmp_path, name, text):
    """Replaces the file's text, with a new modification time so caches see the change."""
    path = tmp_path / f"{name}.py"
    stat = path.stat()
    path.write_text(text)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


PLUS_ONE = "from ferrojit import jit\n\n@jit\ndef f(x):\n    return x + 1\n"
TIMES_100 = "from ferrojit import jit\n\n@jit\ndef f(x):\n    return x * 100\n"


def test_editing_the_file_after_import_changes_nothing(tmp_path):
    mod = load(tmp_path, "edited_after", PLUS_ONE)
    rewrite(tmp_path, "edited_after", TIMES_100)
    assert mod.f.py_func(2) == 3
    assert mod.f(2) == 3
    assert mod.f(2.5) == 3.5


def test_the_file_may_be_gone_after_decoration(tmp_path):
    mod = load(tmp_path, "deleted", PLUS_ONE)
    (tmp_path / "deleted.py").unlink()
    assert mod.f(2) == 3


def test_a_file_edited_before_decoration_is_not_compiled(tmp_path):
    mod = load(tmp_path, "stale", "def g(x):\n    return x + 1\n")
    rewrite(tmp_path, "stale", "def g(x):\n    return x * 100\n")
    lazy = jit(mod.g)
    message = "the source of `g` in .*stale.py has changed since Python loaded it"
    with pytest.raises(ferrojit.CompileError, match=message) as e:
        lazy(2)
    assert "importlib.reload" in str(e.value)
    # An explicit signature compiles at once, so it fails at once.
    with pytest.raises(ferrojit.CompileError, match=message):
        jit("int64(int64)")(mod.g)
    assert mod.g(2) == 3


def test_edits_that_keep_the_code_are_fine(tmp_path):
    mod = load(tmp_path, "cosmetic", "def g(x):\n    return x + 1\n")
    rewrite(tmp_path, "cosmetic", "def g(x):  # a comment\n    return (x +\n            1)\n")
    assert jit(mod.g)(2) == 3


def test_a_changed_constant_or_name_is_a_change(tmp_path):
    mod = load(tmp_path, "constant", "K = 1\ndef g(x):\n    return x + 1.5 + K\n")
    rewrite(tmp_path, "constant", "K = 1\ndef g(x):\n    return x + 2.5 + K\n")
    with pytest.raises(ferrojit.CompileError, match="has changed since Python loaded it"):
        jit(mod.g)(1)
    mod = load(tmp_path, "name", "K = L = 1\ndef g(x):\n    return x + K\n")
    rewrite(tmp_path, "name", "K = L = 1\ndef g(x):\n    return x + L\n")
    with pytest.raises(ferrojit.CompileError, match="has changed since Python loaded it"):
        jit(mod.g)(1)


def test_closures_and_methods_are_checked_with_their_scopes(tmp_path):
    mod = load(tmp_path, "scopes", """
def make(k):
    def scaled(x):
        return x * k
    return scaled

class Shapes:
    def area(w, h):
        return w * h
""")
    assert jit(mod.make(3))(2) == 6
    assert jit(mod.Shapes.area)(2, 5) == 10


LAMBDAS = """\
from ferrojit import _source, jit

inc = jit(lambda x: x + 1)
double, dec = jit(lambda x: x * 2), jit(lambda y: y - 1)
table = dict(
    a=1,
    half=jit(lambda z: z // 2),
)
def make(k):
    return jit(lambda x: x * k)
sliced = jit(lambda s: s[[1]])
"""


def test_lambdas_compile(tmp_path):
    mod = load(tmp_path, "lambdas", LAMBDAS)
    for f, arg in [(mod.inc, 4), (mod.double, 4), (mod.dec, 4), (mod.table["half"], 7), (mod.make(5), 3)]:
        assert f(arg) == f.py_func(arg)
        assert f(arg + 0.5) == f.py_func(arg + 0.5)
    assert mod.double(4) == 8 and mod.dec(4) == 3


def test_a_lambda_followed_by_a_comma_on_its_line_compiles(tmp_path):
    # The line `"first": lambda a: a[0],` parses only as a tuple from the `lambda` to
    # the line's end: the lambda is the longest text before that which parses as one.
    mod = load(tmp_path, "lambda_items", """
import numpy as np
kernels = {
    "first": lambda a: a[0],
    "total": lambda a: np.sum(a) + 1,
}
pair = [lambda a: a * 2,
        lambda a, b: a - b]
""")
    a = np.arange(3.0) + 2
    for f, args in [(mod.kernels["first"], (a,)), (mod.kernels["total"], (a,)),
                    (mod.pair[0], (3,)), (mod.pair[1], (3, 5))]:
        assert jit(f)(*args) == f(*args)


def test_errors_in_a_lambda_point_at_its_line_and_column(tmp_path):
    mod = load(tmp_path, "lambda_error", LAMBDAS)
    with pytest.raises(ferrojit.UnsupportedError) as e:
        mod.sliced(1)
    path = str(tmp_path / "lambda_error.py")
    assert f"{path}:11:26" in str(e.value)
    assert "sliced = jit(lambda s: s[[1]])" in str(e.value)


def test_a_lambda_without_source_keeps_the_clear_error():
    namespace = {}
    exec("f = lambda x: x + 1", namespace)
    f = jit(namespace["f"])
    with pytest.raises(ferrojit.CompileError, match="cannot find the source code of `<lambda>`"):
        f(1)


def test_a_lambda_on_an_edited_line_is_not_compiled(tmp_path):
    mod = load(tmp_path, "lambda_stale", "g = lambda x: x + 1\n")
    rewrite(tmp_path, "lambda_stale", "g = lambda x: x * 100\n")
    with pytest.raises(ferrojit.CompileError, match="has changed since Python loaded it"):
        jit(mod.g)(1)


IPYTHON_SESSION = '''
from IPython.testing.globalipapp import start_ipython

shell = start_ipython()
cells = [
    # IPython compiles each statement of a cell on its own, so `math.sqrt` compiles
    # differently from the same text compiled as one file.
    "%config Application.log_level = 'WARN'\\nimport math\\nfrom ferrojit import jit\\n\\n"
    "@jit\\ndef root(x):\\n    return math.sqrt(x)\\n",
    "twice = jit(lambda x: 2 * x)",
    "result = (root(16.0), twice(21))",
]
for cell in cells:
    outcome = shell.run_cell(cell)
    assert outcome.success, outcome.error_in_exec
assert shell.user_ns["result"] == (4.0, 42), shell.user_ns["result"]
print("CELLS OK")
'''


def test_notebook_cells_compile(tmp_path):
    pytest.importorskip("IPython")
    script = tmp_path / "session.py"
    script.write_text(IPYTHON_SESSION)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert "CELLS OK" in proc.stdout, proc.stdout + proc.stderr


EXTENTS = '''\
import numpy as np
from ferrojit import _source, jit

def scale(k):
    return lambda f: f


@scale(
    2,
)
def decorated(x):
    return x + 1

def closing_bracket_at_column_0(a):
    s = np.sum(
a)
    t = (
        s * 2
)
    return t

def outer(x):
    def inner(y):
        return y * 3
    return inner(x) + 1
    # a comment after the last statement

class Shapes:
    def area(w, h):
        if w > h:
            return w * h
        else:
            pass
        return h * w

def one_line(x): return x - 1
'''


def test_the_text_ends_where_the_def_does(tmp_path):
    """CPython's position of each def statement gives its text: decorators over
    several lines, a closing bracket at column 0, nested defs (found, though not
    compiled), methods."""
    mod = load(tmp_path, "extents", EXTENTS)
    lines = EXTENTS.splitlines(keepends=True)
    expected = {
        mod.decorated: (8, 13),
        mod.closing_bracket_at_column_0: (14, 21),
        mod.outer: (22, 26),
        mod.Shapes.area: (29, 35),
        mod.one_line: (36, 37),
    }
    for f, (first, end) in expected.items():  # 1-based first line, last line + 1
        status, (_, text, first_line, _) = _source.capture(f)
        assert (status, first_line, text) == ("ok", first, "".join(lines[first - 1:end - 1]))
    a = np.arange(4.0)
    assert jit(mod.decorated)(1) == 2
    assert jit(mod.closing_bracket_at_column_0)(a) == 12.0
    assert jit(mod.Shapes.area)(2, 5) == 10 and jit(mod.Shapes.area)(5, 2) == 10
    assert jit(mod.one_line)(1) == 0


def test_a_def_after_256_constants_is_found(tmp_path):
    # The instruction making the function loads a constant whose index needs an
    # EXTENDED_ARG prefix.
    constants = "".join(f"C{i} = {i}.5\n" for i in range(300))
    mod = load(tmp_path, "many_constants", constants + "def f(x):\n    return x + C299\n")
    status, (_, text, _, _) = _source.capture(mod.f)
    assert (status, text) == ("ok", "def f(x):\n    return x + C299\n")
    assert jit(mod.f)(1.0) == 300.5


def test_source_redefined_under_the_same_file_name_is_compiled_anew():
    """A notebook cell run again after an edit (IPython's file names are
    per cell, but exec'd text may reuse one): each definition compiles its own text."""
    name = "<ferrojit-test-cell>"
    results = []
    for body in ("x + 1", "x * 100"):
        text = f"def f(x):\n    return {body}\n"
        linecache.cache[name] = (len(text), None, text.splitlines(keepends=True), name)
        namespace = {}
        exec(compile(text, name, "exec"), namespace)
        results.append(jit(namespace["f"])(2))
    del linecache.cache[name]
    assert results == [3, 200]


def test_functions_of_the_same_name_in_two_modules_compile_their_own_text(tmp_path):
    first = load(tmp_path, "same_name_a", PLUS_ONE)
    second = load(tmp_path, "same_name_b", TIMES_100)
    assert (first.f(2), second.f(2), first.f(3)) == (3, 200, 4)
