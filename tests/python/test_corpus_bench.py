"""Every kernel of the performance corpus (bench/corpus.py) gives CPython's
answer at its tiny size, with checks on and off: the benchmark times only
kernels whose results are right."""

import pathlib
import sys

import numpy as np
import pytest

import ferrojit

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "bench"))

from corpus import CORPUS  # noqa: E402


def same(got, want):
    if want is None:
        assert got is None
    elif isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray) and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-6, equal_nan=True)
    else:
        assert got == pytest.approx(want, rel=1e-6), (got, want)


@pytest.mark.parametrize("kernel", CORPUS, ids=lambda k: k.name)
@pytest.mark.parametrize("checks", [True, False], ids=["checks_on", "checks_off"])
def test_corpus_kernel_matches_cpython(kernel, checks):
    flags = {"fastmath": True} if kernel.fastmath else {}
    options = {} if checks else kernel.unchecked()
    compiled = ferrojit.jit(kernel.func, **options, **flags)
    args, want_args = kernel.make(kernel.tiny_size), kernel.make(kernel.tiny_size)
    got = compiled(*args)
    want = kernel.func(*want_args)
    same(got, want)
    for a, w in zip(args, want_args):
        if isinstance(w, np.ndarray):
            same(a, w)
