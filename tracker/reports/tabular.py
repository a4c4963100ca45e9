"""The machine formats: gap-report.json and gap-report.csv (the XLSX is for people: xlsx.py).

    write_json(gaps, readings, ctx, path)
    write_csv(gaps, readings, ctx, path)

These are read by scripts, so they ignore `ctx.lang`: dot decimals, ISO dates, status
keys ("on_track") rather than translated names, and the English `note` / `conversion`
texts (notes.py builds them from the assessment's codes). Columns are the public
contract (frames.GAP_CONTRACT_COLUMNS) first, then frames.GAP_EXTRA_COLUMNS.

Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR)
is written with a leading apostrophe in CSV (and the XLSX); numbers are left alone, so
a negative gap stays a number.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..frames import GAP_COLUMNS
from .context import ReportContext
from .i18n import iso_date, iso_moment
from .rows import plain_columns, plain_records

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Present only when the run compared methods (assessment: {compare: true}).
_COMPARE_FIELDS = ("status_by_method", "fragile")


def neutralise(value: str) -> str:
    """'=SUM(1)' -> "'=SUM(1)": a spreadsheet shows it as text instead of running it."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def report_document(gaps: pd.DataFrame, ctx: ReportContext) -> dict[str, Any]:
    """The gap-report.json document as Python data (DESIGN.md, "Interfaces")."""
    doc: dict[str, Any] = {
        "as_of": iso_date(ctx.as_of),
        "generated_at": iso_moment(ctx.generated_at),
        "program": ctx.program,
        "rows": list(plain_records(gaps)),
    }
    if not any(row.get("status_by_method") for row in doc["rows"]):
        for row in doc["rows"]:
            for key in _COMPARE_FIELDS:
                row.pop(key, None)
    # known_at only on a rebuild: its presence is what tells a script "this is not live".
    if ctx.known_at is not None:
        doc["known_at"] = iso_moment(ctx.known_at)
    doc["catch_up"] = ctx.catch_up
    doc["changes"] = [
        {
            "kind": c.kind,
            "target": c.target,
            "indicator": c.indicator,
            "before": c.before,
            "after": c.after,
            "detail": c.detail,
        }
        for c in ctx.changes
    ]
    doc["failed_runs"] = [
        {
            "started_at": iso_moment(f.started_at),
            "scheduled_for": iso_moment(f.scheduled_for) if f.scheduled_for else None,
            "error": f.error,
        }
        for f in ctx.failed_runs
    ]
    return doc


def write_json(gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext, path: Path) -> None:
    doc = report_document(gaps, ctx)
    # allow_nan=False: a NaN that slipped past `plain` must fail loudly, not write invalid JSON.
    body = json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)
    path.write_text(body + "\n", encoding="utf-8")


def _flat(value: Any) -> Any:
    """{method: status} as one cell: "statcan=on_track; unsd=needs_acceleration; ..."."""
    if isinstance(value, dict):
        return "; ".join(f"{k}={'' if v is None else v}" for k, v in value.items())
    return value


def _csv_cell(value: Any) -> str:
    """One cell from a JSON-ready value (`plain`)."""
    value = _flat(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as the same float
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def write_csv(gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext, path: Path) -> None:
    # "\n" line ends: the file lives in git, and every CSV reader accepts them.
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(GAP_COLUMNS)
        columns = [[_csv_cell(v) for v in values] for values in plain_columns(gaps).values()]
        out.writerows(zip(*columns, strict=True))
