"""The floors: the least work that does what `tracker import` / `tracker run` do, with
nothing of tracker's (no validation, no ledger, no report formats). run.py runs each in
its own process, like tracker, and times the whole process.

    python benchmarks/floors.py import sqlite:///path.db readings.csv REGION FILE_KEY
    python benchmarks/floors.py run sqlite:///path.db targets.csv OUT_DIR REGION AS_OF

import: csv.reader, one tuple per row, one executemany of the rows tracker would store
into the `reading` table the benchmark created with tracker's own schema (same indexes),
one commit. run: read the current readings up to AS_OF with the driver (the columns
tracker reads), then a vectorised pandas group-by: first and last reading of each
indicator in the region, joined to the targets, written as JSON and CSV.
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


def _connect(url: str) -> tuple[Any, str]:
    """(DBAPI connection, parameter mark) for sqlite:///FILE or postgresql+psycopg://..."""
    if url.startswith("sqlite:///"):
        import sqlite3

        conn = sqlite3.connect(url[len("sqlite:///") :], isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")  # as tracker's store
        conn.execute("PRAGMA synchronous = NORMAL")
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


def import_floor(url: str, csv_path: str, region: str, key: str) -> None:
    conn, mark = _connect(url)
    at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    days: dict[str, str] = {}
    by = f"import:{key}"
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
                key,
                line,
            )
            for line, (ind, day, value, unit, source, area, qualifier, note) in enumerate(
                reader, start=2
            )
        ]
    sql = f"INSERT INTO reading ({_COLUMNS}) VALUES ({', '.join([mark] * 13)})"
    cur = conn.cursor()
    if mark == "?":
        cur.execute("BEGIN IMMEDIATE")
    cur.executemany(sql, rows)
    conn.commit() if mark == "%s" else cur.execute("COMMIT")
    conn.close()


def run_floor(url: str, targets_csv: str, out: str, region: str, as_of: str) -> None:
    import pandas as pd

    conn, mark = _connect(url)
    cur = conn.cursor()
    cur.execute(
        "SELECT id, indicator, area, period_date, value, unit, qualifier, source, note, "
        f"recorded_at FROM reading WHERE state = 'current' AND period_date <= {mark}",
        (as_of,),
    )
    names = ["id", "indicator", "area", "date", "value", "unit", "qualifier", "source"]
    frame = pd.DataFrame(cur.fetchall(), columns=[*names, "note", "recorded_at"])
    conn.close()
    frame = frame[frame["area"] == region]
    frame["date"] = pd.to_datetime(frame["date"])
    frame = frame.sort_values(["date", "id"], kind="stable")
    ends = frame.groupby("indicator", sort=False).agg(
        first_value=("value", "first"),
        first_date=("date", "first"),
        last_value=("value", "last"),
        last_date=("date", "last"),
    )
    targets = pd.read_csv(targets_csv)
    gaps = targets.merge(ends, left_on="indicator", right_index=True, how="left")
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
