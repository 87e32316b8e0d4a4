"""A fixed sample of the differential fuzzer (docs/fuzzing.md): ferrojit agrees with CPython.

Programs run in worker processes, so a crash or a hang is a failure of this test, not of the
test run. Discrepancies of open bugs already reported (tests/fuzz/case.py, KNOWN_TAGS) are
counted as known and do not fail it.
"""

import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fuzz.gen import Options  # noqa: E402
from tests.fuzz.run import fuzz  # noqa: E402


def test_fuzz_sample_agrees_with_cpython(tmp_path):
    counts, findings = fuzz(400, seed="sample", jobs=2, timeout=60.0, out=str(tmp_path))
    bad = [(pid, r) for pid, r in findings if r["status"] != "known"]
    report = "\n".join(f"{pid}: {r['status']}: {(r.get('diffs') or [r.get('message', '')])[0][:500]}"
                       for pid, r in bad)
    assert not bad, f"{len(bad)} programs disagree (reproduce: python -m tests.fuzz.run --seed sample):\n{report}"
    assert counts["cases"] > 800


@pytest.mark.parametrize("seed, program", [
    ("106", 4132),  # a negative integer power comes before the shape error of the comparison around it
    ("106", 7343),  # np.unique of both zeros: NumPy keeps whichever its SIMD sort puts first
    ("107", 8022),  # np.sort of an F-ordered array: ferrojit's result is C-ordered
    ("107", 18018),  # a[:, idx]: ferrojit's result is C-ordered, NumPy's here F
    ("111", 17611),  # int() of a uint64 prod >= 2**63: ferrojit's int is int64, so it wraps
    ("111", 5470),  # Python's sum() of an empty float array: the dtype's 0.0, not CPython's int 0
    ("116", 2352),  # prod(dtype=np.int32) of a (2**63 - 1, 0) array: the reference's copy was too big
    ("116", 473),  # an array concatenated with itself in a loop: a huge array, unspecified
    ("118", 1734),  # the same, doubling it in a loop over its own length
    ("119", 8538),  # math.hypot is the C library's, CPython's own is an ulp away here
    ("119", 11868),  # math.pow(2.0**53, x): LLVM's exp2(53 * x) was 3 ulp from C's pow (fixed)
    ("123", 2483),  # a parameter rebound once to a constant read as that constant in a loop (fixed)
])
def test_reference_follows_the_documented_rules(seed, program, tmp_path):
    """Fuzz findings replayed: where the reference strayed from docs/language.md, and the
    ferrojit bugs marked fixed."""
    opts = Options(exprs=0.9) if seed == "116" else None
    counts, findings = fuzz(1, seed=seed, start=program, jobs=1, timeout=60.0, out=str(tmp_path),
                            opts=opts)
    assert findings == [] and counts["ok"] == 1


def test_runner_reports_a_crash_and_a_hang_and_goes_on(monkeypatch):
    import os
    import signal
    import time

    from tests.fuzz import case, run

    def fake_run(prog, args, workdir, name):
        if args == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        if args == "hang":
            time.sleep(100)
        return {"status": "ok"}

    monkeypatch.setattr(case, "run", fake_run)  # the workers are forked: they see it
    pool = run.Pool(2, timeout=3)
    try:
        results = {key: res for key, _, res in pool.run(
            (i, (None, a)) for i, a in enumerate(["ok", "crash", "hang", "ok", "crash", "ok"]))}
    finally:
        pool.close()
    assert [results[i]["status"] for i in range(6)] == ["ok", "crash", "hang", "ok", "crash", "ok"]
    assert results[1]["message"] == "worker died, exit code -11"
