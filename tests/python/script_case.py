"""Runs a test script in a fresh interpreter, so a crash fails one case, not the whole run."""

import subprocess
import sys
import textwrap


def run_script(tmp_path, prelude, body, timeout):
    """Writes `prelude` + `TMP` (the case's folder) + `body` to a file and runs it; the case
    passes when the script reaches its end."""
    script = tmp_path / "case.py"
    script.write_text(prelude + f"TMP = {str(tmp_path)!r}\n" + textwrap.dedent(body) + "\nprint('CASE OK')\n")
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=timeout, cwd=tmp_path
    )
    assert proc.returncode == 0 and "CASE OK" in proc.stdout, (
        f"exit status {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"
    )
