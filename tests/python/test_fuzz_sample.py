"""A fixed sample of the differential fuzzer (docs/fuzzing.md): ferrojit agrees with CPython.

Programs run in worker processes, so a crash or a hang is a failure of this test, not of the
test run. Discrepancies of open bugs already reported (tests/fuzz/case.py, KNOWN_TAGS) are
counted as known and do not fail it.
"""

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fuzz.run import fuzz  # noqa: E402


def test_fuzz_sample_agrees_with_cpython(tmp_path):
    counts, findings = fuzz(400, seed="sample", jobs=2, timeout=60.0, out=str(tmp_path))
    bad = [(pid, r) for pid, r in findings if r["status"] != "known"]
    report = "\n".join(f"{pid}: {r['status']}: {(r.get('diffs') or [r.get('message', '')])[0][:500]}"
                       for pid, r in bad)
    assert not bad, f"{len(bad)} programs disagree (reproduce: python -m tests.fuzz.run --seed sample):\n{report}"
    assert counts["cases"] > 800
