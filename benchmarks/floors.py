"""The floors: the least work that does what `tracker import` / `tracker run` do, with
nothing of tracker's (no validation, no ledger, no report formats, no schema but a bare
table). run.py runs each in its own process, like tracker, and times the whole process.

    python benchmarks/floors.py import sqlite:///path.db REGION FILE [FILE ...]
    python benchmarks/floors.py run sqlite:///path.db targets.yaml OUT_DIR REGION AS_OF

import: a bare `reading` table (the columns tracker stores, one index: the unique key
(indicator, area, period_date), nothing else), then per file csv.reader, one tuple per
row, one executemany and one commit, in the file's order. run: read from that bare
store, with the driver, the columns the assessment needs (id, indicator, date, value,
unit, qualifier) of the region's current readings up to AS_OF, then a vectorised pandas
group-by: first and last reading of each indicator, joined to the targets (read from
targets.yaml with libyaml, as a run must read them), written as JSON and CSV.
"""

from __future__ import annotations

import calendar
import csv
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_COLUMNS = (
    "indicator, area, period_date, value, unit, qualifier, source, note, recorded_at, "
    "recorded_by, state, source_file, source_line"
)


CACHE_KIB = 256 * 1024  # the SQLite page cache tracker's import uses (sync._IMPORT_CACHE_KIB)
PAGE_SIZE = 16_384  # the page size of a new tracker store (database.SQLITE_PAGE_SIZE)

_BARE = {
    "?": (
        "CREATE TABLE IF NOT EXISTS reading (id INTEGER PRIMARY KEY, indicator TEXT NOT NULL, "
        "area TEXT NOT NULL, period_date DATE NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL, "
        "qualifier TEXT, source TEXT NOT NULL, note TEXT, recorded_at TEXT NOT NULL, "
        "recorded_by TEXT NOT NULL, state TEXT NOT NULL, source_file TEXT, source_line INTEGER)"
    ),
    "%s": (
        "CREATE TABLE IF NOT EXISTS reading (id BIGINT GENERATED ALWAYS AS IDENTITY, "
        "indicator VARCHAR(200) NOT NULL, area VARCHAR(200) NOT NULL, period_date DATE NOT NULL, "
        "value DOUBLE PRECISION NOT NULL, unit VARCHAR(100) NOT NULL, qualifier VARCHAR(20), "
        "source VARCHAR NOT NULL, note VARCHAR, recorded_at TIMESTAMPTZ NOT NULL, "
        "recorded_by VARCHAR(200) NOT NULL, state VARCHAR(12) NOT NULL, "
        "source_file VARCHAR(500), source_line INTEGER)"
    ),
}
_KEY_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS bare_key ON reading (indicator, area, period_date)"


def _connect(url: str) -> tuple[Any, str]:
    """(DBAPI connection, parameter mark) for sqlite:///FILE or postgresql+psycopg://..."""
    if url.startswith("sqlite:///"):
        import sqlite3

        conn = sqlite3.connect(url[len("sqlite:///") :], isolation_level=None)
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # as tracker's store (a new one)
        conn.execute("PRAGMA journal_mode = WAL")  # as tracker's store
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")  # as tracker's import
        return conn, "?"
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")), "%s"


def _month_end(text: str, cache: dict[str, str]) -> str:
    day = cache.get(text)
    if day is None:
        year = int(text[:4])
        month = int(text[5:7]) if len(text) >= 7 else 12
        last = calendar.monthrange(year, month)[1]
        day = cache[text] = text if len(text) == 10 else f"{year:04d}-{month:02d}-{last:02d}"
    return day


def import_floor(url: str, region: str, *csv_paths: str) -> None:
    conn, mark = _connect(url)
    cur = conn.cursor()
    cur.execute(_BARE[mark])
    cur.execute(_KEY_INDEX)
    conn.commit() if mark == "%s" else None
    sql = f"INSERT INTO reading ({_COLUMNS}) VALUES ({', '.join([mark] * 13)})"
    days: dict[str, str] = {}
    for csv_path in csv_paths:
        at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        by = f"import:{Path(csv_path).name}"
        with open(csv_path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            rows = [
                (
                    ind,
                    area or region,
                    _month_end(day, days),
                    1.0 if value == "yes" else 0.0 if value == "no" else float(value),
                    unit,
                    qualifier or None,
                    source,
                    note or None,
                    at,
                    by,
                    "current",
                    Path(csv_path).name,
                    line,
                )
                for line, (ind, day, value, unit, source, area, qualifier, note) in enumerate(
                    reader, start=2
                )
            ]
        if mark == "?":
            cur.execute("BEGIN IMMEDIATE")
        cur.executemany(sql, rows)
        conn.commit() if mark == "%s" else cur.execute("COMMIT")
        del rows
    conn.close()


_COMPARATORS = ("at_least", "more_than", "at_most", "less_than", "equals", "done")


def targets_frame(path: str) -> Any:
    """(indicator, target, deadline, target_value) of every target. From targets.yaml: read
    with libyaml, no checks (the least a program does to know the goals); from a .csv: the
    list the benchmark wrote beforehand (`--floor-targets csv`: the floor before issue 13's
    second pass, given the targets already parsed, off the clock)."""
    import pandas as pd

    if path.endswith(".csv"):
        return pd.read_csv(path)
    import yaml

    with open(path, "rb") as fh:
        doc = yaml.load(fh, Loader=yaml.CSafeLoader)
    rows = []
    for key, ind in doc["indicators"].items():
        for t in ind.get("targets") or ():
            [value] = [t[c] for c in _COMPARATORS if c in t][:1] or [None]
            value = 1.0 if value is True else float(value)
            rows.append((key, f"{key}@{t['by']}", f"{t['by']}-12-31", value))
    return pd.DataFrame(rows, columns=["indicator", "target", "deadline", "target_value"])


def run_floor(url: str, targets: str, out: str, region: str, as_of: str) -> None:
    import pandas as pd

    conn, mark = _connect(url)
    cur = conn.cursor()
    cur.execute(
        "SELECT id, indicator, period_date, value, unit, qualifier FROM reading "
        f"WHERE state = 'current' AND area = {mark} AND period_date <= {mark}",
        (region, as_of),
    )
    names = ["id", "indicator", "date", "value", "unit", "qualifier"]
    frame = pd.DataFrame(cur.fetchall(), columns=names)
    conn.close()
    frame["date"] = pd.to_datetime(frame["date"])
    frame = frame.sort_values(["date", "id"], kind="stable")
    ends = frame.groupby("indicator", sort=False).agg(
        first_value=("value", "first"),
        first_date=("date", "first"),
        last_value=("value", "last"),
        last_date=("date", "last"),
    )
    gaps = targets_frame(targets).merge(ends, left_on="indicator", right_index=True, how="left")
    gaps["gap"] = (gaps["target_value"] - gaps["last_value"]).clip(lower=0)
    Path(out).mkdir(parents=True, exist_ok=True)
    gaps.to_json(Path(out) / "floor.json", orient="records", date_format="iso")
    gaps.to_csv(Path(out) / "floor.csv", index=False)


def main() -> None:
    what, *args = sys.argv[1:]
    if what == "import":
        import_floor(*args)
    elif what == "run":
        run_floor(*args)
    else:
        raise SystemExit(f"unknown floor {what!r}: use import or run")


if __name__ == "__main__":
    main()
