"""An exception raised in compiled code has traceback entries for the kernel's own lines,
as if the kernel had run in Python: the raising line, and each @jit call it passed through."""

import importlib.util
import traceback

import numpy as np
import pytest

KERNELS = '''\
import numpy as np
from ferrojit import jit

@jit
def get(a, i):
    return a[i]

@jit
def check(x):
    if x < 0:
        raise ValueError("negative")
    return x

@jit
def outer(a, i):
    s = 0.0
    s += get(a, i)
    return s

inverse = jit(lambda x: 1 // x)

@jit
def table(n):
    t = np.zeros(n)
    return t
'''


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    path = tmp_path_factory.mktemp("tb") / "tb_kernels.py"
    path.write_text(KERNELS)
    spec = importlib.util.spec_from_file_location("tb_kernels", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, str(path)


def entries(f, *args):
    """The exception f raises (the same as CPython's) and its kernel entries (file, line, name)."""
    with pytest.raises(Exception) as expected:
        f.py_func(*args)
    with pytest.raises(type(expected.value)) as got:
        f(*args)
    assert str(got.value) == str(expected.value)
    return [(e.filename, e.lineno, e.name) for e in traceback.extract_tb(got.value.__traceback__)]


def test_a_bounds_check_points_at_its_line(kernels):
    module, path = kernels
    assert entries(module.get, np.zeros(3), 5)[-1] == (path, 6, "get")


def test_a_raise_statement_points_at_its_line(kernels):
    module, path = kernels
    tb = entries(module.check, -1)
    assert tb[-1] == (path, 11, "check")
    # The caller's own frame (this test) comes first, as for any call.
    assert tb[0][0] == __file__


def test_an_exception_in_a_callee_passes_through_the_call(kernels):
    module, path = kernels
    assert entries(module.outer, np.zeros(3), 7)[-2:] == [(path, 17, "outer"), (path, 6, "get")]


def test_a_lambda_has_its_entry(kernels):
    module, path = kernels
    assert entries(module.inverse, 0)[-1] == (path, 20, "<lambda>")


def test_the_printed_traceback_shows_the_kernel_line(kernels):
    module, _ = kernels
    with pytest.raises(ValueError) as e:
        module.check(-3)
    text = "".join(traceback.format_exception(e.value))
    assert 'raise ValueError("negative")' in text


def test_a_failed_allocation_points_at_its_line(kernels):
    module, path = kernels
    with pytest.raises(MemoryError) as e:
        module.table(2**58)
    assert [(t.filename, t.lineno, t.name) for t in traceback.extract_tb(e.value.__traceback__)][-1] == (
        path,
        24,
        "table",
    )
