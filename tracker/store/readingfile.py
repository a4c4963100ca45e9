"""A reading file (CSV) -> validated rows, or ReadingsFileError listing every bad row.

Format: UTF-8, header `indicator,date,value,unit,source` plus optional `area`,
`qualifier`, `note`, `confirmed` (any order; `confirmed` = yes records a reading
that jumps 10x against the previous one). `date` is YYYY-MM-DD, YYYY-MM or YYYY (the period's
last day); `value` a plain number with "." as the decimal mark, or yes/no for a
milestone. A row is identified within its file by (indicator, area, date).

    >>> rows = read_reading_file(Path("actuals/2025.csv"), program)
    >>> rows[0].indicator, rows[0].period_date, rows[0].value
    ('communes', datetime.date(2025, 6, 30), 91.0)
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tracker.errors import Problem, ReadingsFileError
from tracker.model import Program
from tracker.store.columncheck import ReadingTable, check_columns, check_records, finish
from tracker.store.rowcheck import RowChecker, RowData
from tracker.store.rules import Rules

__all__ = [
    "COLUMNS",
    "ReadingTable",
    "RowChecker",
    "RowData",
    "decode_utf8",
    "parse_reading_table",
    "parse_reading_text",
    "read_reading_file",
]

REQUIRED_COLUMNS = ("indicator", "date", "value", "unit", "source")
OPTIONAL_COLUMNS = ("area", "qualifier", "note", "confirmed")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


def _header(reader: Any, file: str) -> list[str]:
    try:
        header = next(reader)
    except csv.Error as e:
        raise ReadingsFileError([_csv_problem(file, 1, reader.line_num, e)]) from None
    except StopIteration:
        raise ReadingsFileError(
            [
                Problem(
                    file,
                    1,
                    None,
                    "the file is empty; it needs the header " + ",".join(REQUIRED_COLUMNS),
                )
            ]
        ) from None
    cols = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in cols]
    unknown = [c for c in cols if c not in COLUMNS]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if missing or unknown or dup:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)} (allowed: {', '.join(COLUMNS)})")
        if dup:
            parts.append(f"repeated column(s) {', '.join(dup)}")
        raise ReadingsFileError([Problem(file, 1, None, "bad header: " + "; ".join(parts))])
    return cols


def parse_reading_text(text: str, file: str, program: Program) -> list[RowData]:
    """Validate the CSV text of a reading file; ReadingsFileError lists every bad row."""
    return parse_reading_table(text, file, program).rows()


def parse_reading_table(text: str, file: str, program: Program) -> ReadingTable:
    """`parse_reading_text`, column by column: what a bulk import needs for a big file.

    Rows are checked a column at a time (each distinct text once); only rows that fail a
    check, or that the fast checks cannot vouch for, go through `RowChecker.check`, so
    every message and line number is the one the row-by-row reading gives. A file whose
    records do not sit one per line (a quoted line break) is read row by row.
    """
    # NFC: accents typed on a Mac arrive decomposed; "Quảng Ninh" must be one area, one
    # spelling, whichever keyboard wrote the file.
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # strict: a quote left open is an error at the end of the file, not a field that
    # silently swallows every row after it.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    cols = _header(reader, file)
    table = check_columns(reader, cols, file, program)
    if table is None:  # a record spans lines, or the CSV is malformed: the exact slow path
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        next(reader)
        table = _row_by_row(reader, cols, file, program)
    return table


def _row_by_row(reader: Any, cols: list[str], file: str, program: Program) -> ReadingTable:
    """Records that may span lines, each numbered where it starts (csv's own count)."""
    records: list[list[str]] = []
    lines: list[int] = []
    problems: dict[int, list[Problem]] = {}
    try:
        while True:
            line = reader.line_num + 1  # where this record starts (it may span lines)
            record = next(reader, None)
            if record is None:
                break
            records.append(record)
            lines.append(line)
    except csv.Error as e:
        bad = _csv_problem(file, line, reader.line_num, e)
        problems[bad.line or reader.line_num] = [bad]
    table = check_records(Rules(program), records, lines, cols, file, problems)
    return finish([table], file, problems)


def _csv_problem(file: str, start: int, end: int, e: csv.Error) -> Problem:
    if "unexpected end of data" in str(e):
        return Problem(
            file,
            start,
            None,
            'a quote (") opened in this row is never closed, so every line after it would be '
            'read as part of one field; close the quote (write a quote inside a field as "")',
        )
    if "expected after" in str(e):
        return Problem(
            file,
            end,
            None,
            "a quoted field has text after its closing quote; quote the whole field, and "
            'write a quote inside it as ""',
        )
    return Problem(file, end, None, f"is not valid CSV: {e}")


def read_reading_file(path: Path, program: Program, display: str | None = None) -> list[RowData]:
    """Read and validate one reading file."""
    file = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ReadingsFileError(
            [Problem(file, None, None, f"cannot read it: {e.strerror}")]
        ) from None
    return parse_reading_text(decode_utf8(raw, file), file, program)


def decode_utf8(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ReadingsFileError(
            [Problem(file, line, None, "is not UTF-8 text; save the file as CSV UTF-8")]
        ) from None


def rows_to_csv(rows: Iterable[dict[str, object]], columns: list[str], out: io.TextIOBase) -> None:
    w = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow(r)
