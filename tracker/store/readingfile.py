"""A reading file (CSV) -> validated rows, or ReadingsFileError listing every bad row.

Format: UTF-8, header `indicator,date,value,unit,source` plus optional `area`,
`qualifier`, `note` (any order). `date` is YYYY-MM-DD, YYYY-MM or YYYY (the period's
last day); `value` a plain number with "." as the decimal mark, or yes/no for a
milestone. A row is identified within its file by (indicator, area, date).

    >>> rows = read_reading_file(Path("actuals/2025.csv"), program)
    >>> rows[0].indicator, rows[0].period_date, rows[0].value
    ('communes', datetime.date(2025, 6, 30), 91.0)
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tracker.errors import Problem, ReadingsFileError, UnitError
from tracker.model import QUALIFIERS, Program
from tracker.parsing import parse_number, parse_period_end, parse_yes_no
from tracker.units import Unit, parse_unit

REQUIRED_COLUMNS = ("indicator", "date", "value", "unit", "source")
OPTIONAL_COLUMNS = ("area", "qualifier", "note")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_PROBLEMS = 200  # past this many bad rows, listing more helps nobody


@dataclass(frozen=True)
class RowData:
    """One valid reading as read from a file or typed on the command line."""

    indicator: str
    area: str
    period_date: date
    value: float
    unit: str
    source: str
    qualifier: str | None = None
    note: str | None = None
    line: int | None = None

    @property
    def key(self) -> tuple[str, str, date]:
        return (self.indicator, self.area, self.period_date)

    def same_content(self, other: RowData) -> bool:
        return (self.value, self.unit, self.source, self.qualifier, self.note) == (
            other.value,
            other.unit,
            other.source,
            other.qualifier,
            other.note,
        )


class RowChecker:
    """Checks one reading's fields against the programme; shared by files and `tracker add`."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self._units: dict[str, Unit] = {}
        self._ind_units = {}
        for k, ind in program.indicators.items():
            # load_program already refused unreadable units; keep going regardless
            with contextlib.suppress(UnitError):
                self._ind_units[k] = parse_unit(ind.unit)

    def _unit(self, text: str) -> Unit:
        u = self._units.get(text)
        if u is None:
            u = self._units[text] = parse_unit(text)
        return u

    def check(
        self, fields: dict[str, str], *, locale: str = "en"
    ) -> tuple[RowData | None, list[str]]:
        """(row, []) when valid, else (None, [what is wrong, ...])."""
        errors: list[str] = []
        get = lambda k: (fields.get(k) or "").strip()  # noqa: E731
        key = get("indicator")
        ind = self.program.indicators.get(key)
        if not key:
            errors.append("the indicator is empty")
        elif ind is None:
            errors.append(
                f'unknown indicator "{key}"; it must be a key under indicators: in '
                f"{self.program.source_path}"
            )
        period = None
        try:
            period = parse_period_end(get("date"))
        except ValueError as e:
            errors.append(f"date: {e}")
        value = None
        raw_value = get("value")
        if ind is not None:
            try:
                if ind.kind == "milestone":
                    value = parse_yes_no(raw_value)
                else:
                    if raw_value.lower() in ("yes", "no", "true", "false"):
                        raise ValueError(
                            f'"{raw_value}" is yes/no, but "{key}" is a number '
                            f"indicator (unit {ind.unit}); give a number"
                        )
                    value = parse_number(raw_value, locale=locale)
            except ValueError as e:
                errors.append(f"value: {e}")
        unit_text = get("unit")
        if not unit_text and ind is not None and ind.kind == "milestone":
            unit_text = "yes/no"
        if ind is not None:
            try:
                unit = self._unit(unit_text)
                target_unit = self._ind_units.get(key)
                if target_unit is not None:
                    _compatible(unit, target_unit, key)
            except UnitError as e:
                errors.append(f"unit: {e}")
        source = get("source")
        if not source:
            errors.append("the source is empty; say where the figure comes from")
        qualifier = get("qualifier").lower() or None
        if qualifier is not None and qualifier not in QUALIFIERS:
            errors.append(
                f'qualifier "{qualifier}" must be one of {", ".join(QUALIFIERS)} or empty'
            )
        if errors:
            return None, errors
        assert period is not None and value is not None
        return RowData(
            indicator=key,
            area=get("area") or self.program.region,
            period_date=period,
            value=value,
            unit=unit_text,
            source=source,
            qualifier=qualifier,
            note=get("note") or None,
        ), []


def _compatible(unit: Unit, target: Unit, key: str) -> None:
    """Refuse at entry what can never be converted (a missing exchange rate can be added later)."""
    if unit.kind != target.kind:
        raise UnitError(
            f'"{unit.text}" cannot be converted to "{target.text}", the unit of "{key}"'
        )
    if unit.kind == "count" and unit.noun != target.noun:
        raise UnitError(
            f'"{unit.text}" counts something else than "{target.text}", the unit of "{key}"'
        )
    if unit.kind == "money" and unit.per != target.per:
        raise UnitError(
            f'"{unit.text}" cannot be converted to "{target.text}", the unit of '
            f'"{key}" ("{unit.per or "no /… tail"}" vs "{target.per or "no /… tail"}")'
        )


def parse_reading_text(text: str, file: str, program: Program) -> list[RowData]:
    """Validate the CSV text of a reading file; ReadingsFileError lists every bad row."""
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
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
    checker = RowChecker(program)
    rows: list[RowData] = []
    first_line: dict[tuple[str, str, date], int] = {}
    line = 1
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if len(record) != len(cols):
                problems.append(
                    Problem(
                        file,
                        line,
                        None,
                        f"has {len(record)} fields, the header "
                        f"has {len(cols)}; check for a missing or extra comma "
                        "(quote values that contain commas)",
                    )
                )
                continue
            row, errs = checker.check(dict(zip(cols, record, strict=True)))
            if row is None:
                problems.extend(Problem(file, line, None, e) for e in errs)
            else:
                row = RowData(**{**row.__dict__, "line": line})
                if row.key in first_line:
                    problems.append(
                        Problem(
                            file,
                            line,
                            None,
                            f"{row.indicator} for {row.area} on {row.period_date.isoformat()} is "
                            f"already given at line {first_line[row.key]}; keep one row per "
                            "indicator, area and date",
                        )
                    )
                else:
                    first_line[row.key] = line
                    rows.append(row)
            if len(problems) >= MAX_PROBLEMS:
                break
    except csv.Error as e:
        problems.append(Problem(file, reader.line_num, None, f"is not valid CSV: {e}"))
    if problems:
        raise ReadingsFileError(
            problems,
            summary=f"{file}: nothing was imported from this file; "
            "fix the rows above and import it again",
        )
    return rows


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
