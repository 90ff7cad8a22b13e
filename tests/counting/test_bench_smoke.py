"""The counting benchmark still runs (on a small resample; no timings are asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_count_runs_on_a_small_resample() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_count.py"), "--ballots", "20000",
         "--pyrankvote-ballots", "2000", "--repeat", "1"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "(same: True)" in out and "(coopgov on same: True)" in out
    for target in ("count < 0.05 s", "count vs stvpoll count", "process vs parse+stvpoll", "BLT parsed < 3 s"):
        assert target in out
