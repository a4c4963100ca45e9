"""benchmarks/web.py at its smoke size runs to the end and prints every row; no timing is
asserted (benchmarks/README.md holds the figures of a full run), but no request may fail
and no recorded reading may be missing from the store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_web_benchmark_smoke_size_prints_the_whole_table():
    done = subprocess.run(
        [sys.executable, "-W", "ignore", str(ROOT / "benchmarks" / "web.py"), "--size", "smoke"],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("tracker web benchmark, size smoke")
    rows = {cells[0].strip(): [c.strip() for c in cells[1:]]
            for cells in (line.split("|")[1:-1] for line in lines[3:])}
    assert list(rows) == [
        "sqlite: home page /",
        "sqlite: indicator page /indicators/income_00000",
        "sqlite: add a reading (form + post)",
        "sqlite: readings recorded / lost",
        next(k for k in rows if k.startswith("floor: static file of ")),
    ]
    for name, (requests, _p50, _p95, errors, _holds) in rows.items():
        assert int(requests) > 0, name
        assert errors == "0", name  # for the last-but-one row: readings lost
