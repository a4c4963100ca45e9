"""The benchmarks at their smoke size: they run to the end and print every row of the
table. No timing is asserted (CI machines are shared and noisy); benchmarks/README.md
holds the figures of a full run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")

COLUMNS = "| measure | tracker median | floor median | ratio | target | holds |"
# One order (shuffled, the one that cannot flatter) keeps CI fast; the full run measures
# key, date and shuffled orders (benchmarks/README.md).
ORDER_ROWS = [
    "import 2,000 readings",
    "run national store of 2,000",
    "re-import, ",
    "run 2,000 readings",
    "run 20,000 readings",
    "growth, run 20,000 / 2,000",
    "sync step of a run, no file changed (in process: first call, median of 5)",
    "peak RSS, run 20,000 readings",
]
NATIONAL_ROWS = [
    " (10 files): import 20,000 readings",
    ": run national store of 20,000",
    ": growth, run national 20,000 / 2,000",
    ": growth, import national 20,000 / 2,000",
    ": peak RSS, import and run 20,000 readings",
]


@pytest.mark.slow
def test_the_smoke_benchmark_prints_the_whole_table():
    cmd = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--size", "smoke"]
    cmd += ["--orders", "shuffled"]
    backends = ["sqlite"]
    if PG_URL:  # CI: the same rows on its PostgreSQL (in databases made and dropped there)
        cmd += ["--postgres", PG_URL]
        backends.append("postgresql")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("tracker benchmarks, size smoke")
    assert " ".join(lines[1].split()) == COLUMNS
    rows = [line.split("|")[1:-1] for line in lines[3:]]
    measures = [cells[0].strip() for cells in rows]
    expected = [
        row
        for b in backends
        for row in [f"{b} shuffled: {m}" for m in ORDER_ROWS]
        + [f"{b} shuffled{m}" for m in NATIONAL_ROWS]
    ]
    assert len(measures) == len(expected) + 1
    for measure, start in zip(measures, expected, strict=False):
        assert measure.startswith(start)
    assert measures[-1].startswith("tracker --help")
    for cells in rows:
        assert len(cells) == 6 and all(c.strip() for c in cells)
        judged = cells[4].strip() != "(information)"
        assert cells[5].strip() in (("yes", "NO") if judged else ("-",))
