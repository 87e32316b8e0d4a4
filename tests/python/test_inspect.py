"""inspect_llvm / inspect_asm / inspect_types: what was compiled, per signature (Numba's names)."""

import platform
import re

import numpy as np
import pytest

import ferrojit
from ferrojit import jit


def scaled_total(a, n):
    s = 0.0
    for x in a:
        s += x * n
    return s


def compiled_twice():
    f = jit(scaled_total)
    assert f(np.ones(4), 2) == f.py_func(np.ones(4), 2)
    assert f(np.ones(4, dtype=np.float32), 2.5) == f.py_func(np.ones(4, dtype=np.float32), 2.5)
    return f


FLOAT64_INT = ("array(float64, 1d, C)", "int64")
FLOAT32_FLOAT = ("array(float32, 1d, C)", "float64")


def test_dicts_are_keyed_as_signatures():
    f = compiled_twice()
    assert f.signatures == [FLOAT64_INT, FLOAT32_FLOAT]
    for inspect in (f.inspect_llvm, f.inspect_asm, f.inspect_types):
        texts = inspect()
        assert list(texts) == f.signatures
        assert all(isinstance(t, str) for t in texts.values())
        # One signature gives its text alone.
        assert inspect(FLOAT32_FLOAT) == texts[FLOAT32_FLOAT]


def test_nothing_compiled_gives_empty_dicts():
    f = jit(scaled_total)
    assert f.inspect_llvm() == {}
    assert f.inspect_asm() == {}
    assert f.inspect_types() == {}


def test_llvm_ir_is_the_optimized_module_of_the_signature():
    f = compiled_twice()
    ir = f.inspect_llvm(FLOAT64_INT)
    assert "define" in ir and "@scaled_total_entry(" in ir
    # The float32 elements are widened in the other signature's code only.
    assert "fpext float" not in ir
    assert "fpext float" in f.inspect_llvm(FLOAT32_FLOAT)
    # Optimized: no allocas left of the lowered variables.
    assert " alloca " not in ir


def test_asm_is_the_host_assembly():
    f = compiled_twice()
    asm = f.inspect_asm(FLOAT64_INT)
    assert "scaled_total_entry:" in asm
    if platform.machine() in ("x86_64", "AMD64"):
        assert re.search(r"^\s+retq?\b", asm, re.MULTILINE)
    else:
        assert re.search(r"^\s+ret\b", asm, re.MULTILINE)


def test_types_list_arguments_locals_and_result():
    f = compiled_twice()
    text = f.inspect_types(FLOAT32_FLOAT)
    assert "# scaled_total(a: array(float32, 1d, C), n: float64) -> float64" in text
    assert "#   a: array(float32, 1d, C)  (argument)" in text
    assert "#   n: float64  (argument)" in text
    assert "#   s: float64" in text
    assert "#   x: float32" in text
    # Source lines, numbered as in the file, with the types each one assigns.
    lines = {line.split("  #")[0].rstrip(): line for line in text.splitlines()}
    (for_line,) = [code for code in lines if code.endswith("for x in a:")]
    assert lines[for_line].endswith("# x: float32")
    (return_line,) = [code for code in lines if code.endswith("return s")]
    assert lines[return_line].endswith("# return float64")
    first = scaled_total.__code__.co_firstlineno
    assert f"{first:>5}  def scaled_total(a, n):" in text
    # The other signature types `n` as int64.
    assert "#   n: int64  (argument)" in f.inspect_types(FLOAT64_INT)


def test_a_signature_string_selects_its_types():
    f = compiled_twice()
    assert f.inspect_llvm("(float64[::1], int64)") == f.inspect_llvm(FLOAT64_INT)
    explicit = jit("float64(float64[:], int64)")(scaled_total)
    assert "array(float64, 1d, A)" in explicit.inspect_types("float64(float64[:], int64)")


def test_unknown_signature_is_a_key_error():
    f = compiled_twice()
    with pytest.raises(KeyError) as info:
        f.inspect_llvm(("int64",))
    assert info.value.args[0] == (
        "`scaled_total` has not been compiled for the signature ('int64',); compiled "
        "signatures: ('array(float64, 1d, C)', 'int64'), ('array(float32, 1d, C)', 'float64')"
    )
    with pytest.raises(KeyError) as info:
        jit(scaled_total).inspect_asm("(float64[:], int64)")
    assert info.value.args[0] == (
        "`scaled_total` has not been compiled for the signature '(float64[:], int64)'; "
        "compiled signatures: none yet"
    )
    with pytest.raises(ferrojit.TypingError, match="invalid signature"):
        f.inspect_types("(float64[:], blah)")


def callee(x):
    return x * 2


def test_llvm_ir_includes_jit_callees():
    g = jit(callee)

    def caller(x):
        return g(x) + 1

    f = jit(caller)
    assert f(3) == f.py_func(3)
    ir = f.inspect_llvm(("int64",))
    assert "@caller_entry(" in ir
    assert "callee" in ir or "shl" in ir  # inlined or called, it is in the module


def test_inspecting_does_not_compile_again():
    f = compiled_twice()
    before = f.compile_count
    f.inspect_llvm()
    f.inspect_asm()
    f.inspect_types()
    assert f.compile_count == before
    assert f(np.ones(3), 1) == 3.0
