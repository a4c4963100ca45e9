"""assess() alone on 1,000,000 readings (100 indicators x 2 targets), with and without
`assessment: {compare: true}`: CPU seconds, median of 3 (CPU time, not wall time, so a
loaded machine does not blur the figure much).

    .venv/bin/python benchmarks/assess_compare.py            # the default method only
    .venv/bin/python benchmarks/assess_compare.py --compare  # all three methods

Run it with PYTHONPATH pointing at another checkout to compare two versions of assess.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import fields
from datetime import date

import numpy as np
import pandas as pd

from tracker import model
from tracker.assess import assess
from tracker.frames import READING_COLUMNS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--compare", action="store_true", help="assessment: {compare: true}")
    ap.add_argument("--readings", type=int, default=1_000_000)
    args = ap.parse_args()
    n_ind, n = 100, args.readings
    indicators = {
        f"i{i}": model.Indicator(
            key=f"i{i}",
            name_en=f"i{i}",
            name_vi=f"i{i}",
            unit="u",
            targets=(
                model.Target(f"i{i}@2025", f"i{i}", date(2025, 12, 31), "at_least", 500.0),
                model.Target(f"i{i}@2030", f"i{i}", date(2030, 12, 31), "at_least", 900.0),
            ),
        )
        for i in range(n_ind)
    }
    extra = {"compare": True} if args.compare else {}
    if "compare" not in {f.name for f in fields(model.Program)}:
        extra = {}  # an older tracker: the default method only
    program = model.Program(name="bench", region="R", indicators=indicators, **extra)
    rng = np.random.default_rng(1)
    readings = pd.DataFrame({c: None for c in READING_COLUMNS}, index=range(n))
    readings["reading_id"] = pd.array(np.arange(1, n + 1), dtype="Int64")
    keys = np.array(list(indicators), dtype=object)
    readings["indicator"] = keys[rng.integers(0, n_ind, n)]
    readings["area"] = "R"
    readings["date"] = pd.Timestamp("2000-01-01") + pd.to_timedelta(
        rng.integers(0, 9000, n), unit="D"
    )
    readings["value"] = rng.uniform(100, 1000, n)
    seconds = []
    for _ in range(3):
        start = time.process_time()
        assess(program, readings, date(2024, 6, 30))
        seconds.append(time.process_time() - start)
    print(f"assess, {n:,} readings, {2 * n_ind} targets: {statistics.median(seconds):.2f} s CPU")


if __name__ == "__main__":
    main()
