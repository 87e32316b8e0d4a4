"""Large functions compile (issue 9): the speed goals live in `make bench-compile`
(bench/compile_scaling.py); these tests only check that the compile finishes right."""

import importlib.util
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "bench"))

import compile_scaling  # noqa: E402


def load(tmp_path, shape, n):
    path = tmp_path / f"gen_{shape}_{n}.py"
    path.write_text(compile_scaling.module_source(shape, n))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_10000_line_straight_line_function_compiles(tmp_path):
    module = load(tmp_path, "straight", 10000)
    # The values overflow to inf, then nan, as in CPython.
    assert repr(module.f(*module.ARGS)) == repr(module.f.py_func(*module.ARGS))
    assert module.f.compile_count == 1


def test_every_generated_shape_matches_cpython(tmp_path):
    for shape in compile_scaling.SHAPES:
        module = load(tmp_path, shape, 300)
        args = module.ARGS
        expected = module.f.py_func(*[a.copy() if hasattr(a, "copy") else a for a in args])
        assert module.f(*args) == expected, shape
