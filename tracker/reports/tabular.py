"""The machine formats: gap-report.json, gap-report.csv and gap-report.xlsx.

    write_json(gaps, readings, ctx, path)
    write_csv(gaps, readings, ctx, path)
    write_xlsx(gaps, readings, ctx, path)   # sheets "gaps" and "readings"

These are read by scripts and spreadsheets, so they ignore `ctx.lang`: dot decimals,
ISO dates, status keys ("on_track") rather than translated names. Columns are the
public contract (frames.GAP_CONTRACT_COLUMNS) first, then frames.GAP_EXTRA_COLUMNS.

Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR)
is written with a leading apostrophe in CSV and XLSX; numbers are left alone, so a
negative gap stays a number.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..frames import GAP_COLUMNS, READING_COLUMNS
from .context import ReportContext
from .i18n import iso_date, iso_moment
from .rows import is_missing, plain, plain_records, records

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
    value = plain(_flat(value))
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
        for row in records(gaps):
            out.writerow([_csv_cell(row[c]) for c in GAP_COLUMNS])


def _xlsx_value(value: Any) -> tuple[Any, str | None]:
    """(cell value, number format) for openpyxl; strings come back neutralised."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = _flat(value)
    if is_missing(value):
        return None, None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # Excel has no time zones: store UTC wall time
            value = pd.Timestamp(value).tz_convert("UTC").tz_localize(None).to_pydatetime()
        if value.time() == datetime.min.time():
            return value.date(), "yyyy-mm-dd"
        return value, "yyyy-mm-dd hh:mm:ss"
    if isinstance(value, date):
        return value, "yyyy-mm-dd"
    if isinstance(value, str):
        # openpyxl refuses control characters; dropping them beats failing the report.
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)), None
    return plain(value), None


def _fill_sheet(sheet: Any, columns: list[str], rows: list[dict[str, Any]]) -> None:
    from openpyxl.styles import Font

    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for r, row in enumerate(rows, start=2):
        for c, key in enumerate(columns, start=1):
            value, number_format = _xlsx_value(row.get(key))
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # belt and braces: never a formula
            if number_format:
                cell.number_format = number_format


def write_xlsx(gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext, path: Path) -> None:
    # Imported here: openpyxl is slow to import and only this format needs it.
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "gaps"
    _fill_sheet(sheet, list(GAP_COLUMNS), records(gaps))
    reading_columns = [c for c in READING_COLUMNS if c in readings.columns]
    _fill_sheet(
        book.create_sheet("readings"),
        reading_columns,
        readings.reindex(columns=reading_columns).to_dict("records"),
    )
    book.properties.title = f"{ctx.program}: gap report as of {iso_date(ctx.as_of)}"
    book.save(path)
