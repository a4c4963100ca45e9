"""`tracker export`: readings as CSV for machines (DESIGN.md, "Interfaces").

Columns: those of a reading file plus `id` (`confirmed` is yes for a confirmed jump);
with history, every revision with `revision_of`, `recorded_at` (ISO 8601, UTC) and
`state` (current | superseded | retracted).
"""

from __future__ import annotations

import csv
from typing import IO

from sqlalchemy.engine import Engine

from tracker.errors import UnitError
from tracker.store.queries import list_readings
from tracker.store.rowcheck import value_text
from tracker.units import parse_unit

EXPORT_COLUMNS = [
    "id",
    "indicator",
    "date",
    "value",
    "unit",
    "source",
    "area",
    "qualifier",
    "note",
    "confirmed",  # yes: a reading held by the 10x-jump rule that the user confirmed
]
HISTORY_EXTRA = ["revision_of", "recorded_at", "state"]


def _is_milestone(unit: str) -> bool:
    try:
        return parse_unit(unit).kind == "milestone"
    except UnitError:
        return False


def export_header(history: bool = False) -> str:
    """The first line of an export: how `export --out` knows a file it may replace."""
    return ",".join(EXPORT_COLUMNS + (HISTORY_EXTRA if history else []))


def write_export(engine: Engine, out: IO[str], *, history: bool = False) -> int:
    """Write readings to `out`; returns how many rows were written."""
    columns = EXPORT_COLUMNS + (HISTORY_EXTRA if history else [])
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    rows = list_readings(engine, history=history)
    for r in rows:
        r["value"] = value_text(r["value"], _is_milestone(r["unit"]))
        r["confirmed"] = "yes" if r.get("confirmed") else ""
        if r.get("recorded_at") is not None:
            r["recorded_at"] = r["recorded_at"].isoformat()
        writer.writerow(["" if r.get(c) is None else r[c] for c in columns])
    return len(rows)
