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
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.errors import Problem, ReadingsFileError, UnitError
from tracker.model import QUALIFIERS, Program
from tracker.parsing import parse_number, parse_period_end, parse_yes_no
from tracker.units import Unit, parse_unit

if TYPE_CHECKING:
    import numpy as np

REQUIRED_COLUMNS = ("indicator", "date", "value", "unit", "source")
OPTIONAL_COLUMNS = ("area", "qualifier", "note")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_PROBLEMS = 200  # past this many bad rows, listing more helps nobody
# Column widths of the reading table (store/models.py): longer text is refused at entry.
MAX_AREA = 200
MAX_UNIT = 100
_CHUNK = 100_000  # records checked at once: bounds the memory of raw CSV fields
# Within these characters, float() accepts exactly what parse_number accepts in "en" style.
_NOT_NUMBER_CHARS = re.compile(r"[^0-9.eE+\-\n]")


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
        if len(unit_text) > MAX_UNIT:
            errors.append(f"unit: {len(unit_text)} characters is too long (at most {MAX_UNIT})")
        area = get("area")
        if len(area) > MAX_AREA:
            errors.append(f"area: {len(area)} characters is too long (at most {MAX_AREA})")
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
            area=area or self.program.region,
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


def _header(reader: Any, file: str) -> list[str]:
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
    return cols


def _refuse(problems: list[Problem], file: str) -> ReadingsFileError:
    return ReadingsFileError(
        problems,
        summary=f"{file}: nothing was imported from this file; "
        "fix the rows above and import it again",
    )


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
    reader = csv.reader(io.StringIO(text, newline=""))
    cols = _header(reader, file)
    table = _vectorised(reader, cols, file, program)
    if table is None:  # a record spans lines, or the CSV is malformed: the exact slow path
        reader = csv.reader(io.StringIO(text, newline=""))
        next(reader)
        table = ReadingTable.from_rows(_row_by_row(reader, cols, file, program))
    return table


def _row_by_row(reader: Any, cols: list[str], file: str, program: Program) -> list[RowData]:
    problems: list[Problem] = []
    checker = RowChecker(program)
    rows: list[RowData] = []
    first_line: dict[tuple[str, str, date], int] = {}
    line = 1
    try:
        while True:
            line = reader.line_num + 1  # where this record starts (it may span lines)
            record = next(reader, None)
            if record is None:
                break
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if len(record) != len(cols):
                problems.append(_field_count_problem(file, line, len(record), len(cols)))
                continue
            row, errs = checker.check(dict(zip(cols, record, strict=True)))
            if row is None:
                problems.extend(Problem(file, line, None, e) for e in errs)
            else:
                row = RowData(**{**row.__dict__, "line": line})
                if row.key in first_line:
                    problems.append(_duplicate_problem(file, line, row, first_line[row.key]))
                else:
                    first_line[row.key] = line
                    rows.append(row)
            if len(problems) >= MAX_PROBLEMS:
                break
    except csv.Error as e:
        problems.append(Problem(file, reader.line_num, None, f"is not valid CSV: {e}"))
    if problems:
        raise _refuse(problems, file)
    return rows


def _field_count_problem(file: str, line: int, got: int, want: int) -> Problem:
    return Problem(
        file,
        line,
        None,
        f"has {got} fields, the header "
        f"has {want}; check for a missing or extra comma "
        "(quote values that contain commas)",
    )


def _duplicate_problem(file: str, line: int, row: RowData, first: int) -> Problem:
    return Problem(
        file,
        line,
        None,
        f"{row.indicator} for {row.area} on {row.period_date.isoformat()} is "
        f"already given at line {first}; keep one row per "
        "indicator, area and date",
    )


@dataclass
class ReadingTable:
    """The valid rows of a reading file, column by column (what a bulk import consumes).

    Object arrays of str / date / None, `value` float64 and `line` int64, in line order.
    """

    indicator: np.ndarray
    area: np.ndarray
    period_date: np.ndarray
    value: np.ndarray
    unit: np.ndarray
    source: np.ndarray
    qualifier: np.ndarray
    note: np.ndarray
    line: np.ndarray

    def __len__(self) -> int:
        return len(self.line)

    def rows(self) -> list[RowData]:
        return [
            RowData(i, a, d, v, u, s, q, n, ln)
            for i, a, d, v, u, s, q, n, ln in zip(
                self.indicator.tolist(),
                self.area.tolist(),
                self.period_date.tolist(),
                self.value.tolist(),
                self.unit.tolist(),
                self.source.tolist(),
                self.qualifier.tolist(),
                self.note.tolist(),
                self.line.tolist(),
                strict=True,
            )
        ]

    @classmethod
    def from_rows(cls, rows: list[RowData]) -> ReadingTable:
        import numpy as np

        def obj(values: list[Any]) -> np.ndarray:
            out = np.empty(len(values), dtype=object)
            out[:] = values
            return out

        return cls(
            indicator=obj([r.indicator for r in rows]),
            area=obj([r.area for r in rows]),
            period_date=obj([r.period_date for r in rows]),
            value=np.array([r.value for r in rows], dtype=np.float64),
            unit=obj([r.unit for r in rows]),
            source=obj([r.source for r in rows]),
            qualifier=obj([r.qualifier for r in rows]),
            note=obj([r.note for r in rows]),
            line=np.array([r.line for r in rows], dtype=np.int64),
        )


_FIELDS = ("indicator", "area", "period_date", "value", "unit", "source", "qualifier", "note")


def _vectorised(reader: Any, cols: list[str], file: str, program: Program) -> ReadingTable | None:
    """Check the records a column at a time; None when the row-by-row path must decide
    (a record spanning lines, where line numbers need csv's own count, or invalid CSV)."""
    import numpy as np

    checker = RowChecker(program)
    parts: list[dict[str, np.ndarray]] = []
    problems: dict[int, list[Problem]] = {}
    miscounted: set[int] = set()  # lines with the wrong number of fields
    while True:
        before = reader.line_num
        try:
            chunk = list(islice(reader, _CHUNK))
        except csv.Error:
            return None
        if not chunk:
            break
        if reader.line_num - before != len(chunk):
            return None  # some record holds a line break: line numbers need csv's count
        part, slow = _check_chunk(chunk, cols, checker)
        rows: list[RowData] = []
        for i in slow.tolist():  # the rows the column checks could not vouch for
            line = before + 1 + i
            record = chunk[i]
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if len(record) != len(cols):
                problems[line] = [_field_count_problem(file, line, len(record), len(cols))]
                miscounted.add(line)
                continue
            row, errs = checker.check(dict(zip(cols, record, strict=True)))
            if row is None:
                problems[line] = [Problem(file, line, None, e) for e in errs]
            else:
                rows.append(RowData(**{**row.__dict__, "line": line}))
        part["line"] = part.pop("index") + before + 1
        if rows:
            extra = ReadingTable.from_rows(rows)
            part = {k: np.concatenate([part[k], getattr(extra, k)]) for k in part}
            order = np.argsort(part["line"], kind="stable")
            part = {k: v[order] for k, v in part.items()}
        parts.append(part)
    table = (
        ReadingTable(**{k: np.concatenate([p[k] for p in parts]) for k in (*_FIELDS, "line")})
        if parts
        else ReadingTable.from_rows([])
    )
    checked = table.line  # rows that reached RowChecker (the valid ones, repeats included)
    table = _drop_duplicates(table, file, problems)
    if problems:
        raise _refuse(_first_problems(problems, miscounted, checked), file)
    return table


def _first_problems(
    problems: dict[int, list[Problem]], miscounted: set[int], valid: np.ndarray
) -> list[Problem]:
    """The problems the row-by-row reading lists before it stops: it checks the count
    after each row that reached RowChecker, so past MAX_PROBLEMS it stops at the next
    such row (a row with the wrong number of fields does not stop it)."""
    import numpy as np

    checked = np.union1d(valid, [ln for ln in problems if ln not in miscounted])
    listed: list[Problem] = []
    stop_at = None
    for line in sorted(problems):
        if stop_at is not None and line > stop_at:
            break
        listed.extend(problems[line])
        if stop_at is None and len(listed) >= MAX_PROBLEMS:
            if line not in miscounted:
                break
            later = checked[checked > line]
            stop_at = int(later[0]) if len(later) else float("inf")
    return listed


def _drop_duplicates(
    table: ReadingTable, file: str, problems: dict[int, list[Problem]]
) -> ReadingTable:
    """A key given again is a problem at its line, naming the first line that gave it."""
    import pandas as pd

    if len(table) == 0:
        return table
    keys = pd.DataFrame(
        {
            "i": pd.factorize(table.indicator)[0],
            "a": pd.factorize(table.area)[0],
            "d": pd.factorize(table.period_date)[0],
        }
    )
    again = keys.duplicated().to_numpy()
    if not again.any():
        return table
    keys["line"] = table.line
    first = keys.groupby(["i", "a", "d"], sort=False)["line"].transform("first").to_numpy()
    for j in again.nonzero()[0].tolist():
        row = RowData(
            table.indicator[j], table.area[j], table.period_date[j], 0.0, "", "", None, None
        )
        line = int(table.line[j])
        problems[line] = [_duplicate_problem(file, line, row, int(first[j]))]
    keep = ~again
    return ReadingTable(**{k: getattr(table, k)[keep] for k in (*_FIELDS, "line")})


def _check_chunk(
    chunk: list[list[str]], cols: list[str], checker: RowChecker
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """({field: values of the rows that pass, "index": their positions}, positions of the
    rest). A row passes only when every check gives what RowChecker.check would."""
    import numpy as np
    import pandas as pd

    program = checker.program
    n = len(chunk)
    full = np.fromiter(map(len, chunk), dtype=np.int64, count=n) == len(cols)
    at = np.flatnonzero(full)
    records = chunk if full.all() else [chunk[i] for i in at.tolist()]
    m = len(records)
    grid = np.array(records, dtype=object).reshape(m, len(cols))  # rows x fields, no copies
    columns = {c: grid[:, i] for i, c in enumerate(cols)}

    def factorize(name: str) -> tuple[np.ndarray, list[str]]:
        if name not in columns:  # an optional column the file leaves out: all ""
            return np.zeros(m, dtype=np.int64), [""]
        codes, uniques = pd.factorize(columns[name])
        return codes, [u.strip() for u in uniques.tolist()]

    def lookup(codes: np.ndarray, per_unique: list[Any]) -> np.ndarray:
        table = np.empty(len(per_unique), dtype=object)
        table[:] = per_unique
        return table[codes]

    ok = np.ones(m, dtype=bool)
    # indicator
    ind_codes, ind_u = factorize("indicator")
    known = [program.indicators.get(k) for k in ind_u]
    ok &= np.array([k is not None for k in known], dtype=bool)[ind_codes]
    milestone = np.array([k is not None and k.kind == "milestone" for k in known], dtype=bool)[
        ind_codes
    ]
    indicator = lookup(ind_codes, ind_u)
    # date
    date_codes, date_u = factorize("date")
    days = [_try(parse_period_end, d) for d in date_u]
    ok &= np.array([d is not None for d in days], dtype=bool)[date_codes]
    period_date = lookup(date_codes, days)
    # unit, per (indicator, unit) pair: an empty unit is "yes/no" for a milestone
    unit_codes, unit_u = factorize("unit")
    pairs, pair_codes = np.unique(ind_codes * len(unit_u) + unit_codes, return_inverse=True)
    unit_text, unit_ok = [], []
    for p in pairs.tolist():
        key, text = ind_u[p // len(unit_u)], unit_u[p % len(unit_u)]
        t, good = _unit_check(checker, key, text)
        unit_text.append(t)
        unit_ok.append(good)
    ok &= np.array(unit_ok, dtype=bool)[pair_codes]
    unit = lookup(pair_codes, unit_text)
    # source, qualifier, area, note
    src_codes, src_u = factorize("source")
    ok &= np.array([bool(s) for s in src_u], dtype=bool)[src_codes]
    source = lookup(src_codes, src_u)
    q_codes, q_u = factorize("qualifier")
    quals = [q.lower() or None for q in q_u]
    ok &= np.array([q is None or q in QUALIFIERS for q in quals], dtype=bool)[q_codes]
    qualifier = lookup(q_codes, quals)
    area_codes, area_u = factorize("area")
    ok &= np.array([len(a) <= MAX_AREA for a in area_u], dtype=bool)[area_codes]
    area = lookup(area_codes, [a or program.region for a in area_u])
    note_codes, note_u = factorize("note")
    note = lookup(note_codes, [t or None for t in note_u])
    # value: yes/no for milestones (each distinct text once), a plain number otherwise
    value = np.full(m, np.nan)
    raw = columns["value"]
    if milestone.any():
        sel = np.flatnonzero(milestone)
        codes, uniques = pd.factorize(raw[sel])
        yes_no = [_try(parse_yes_no, u) for u in uniques.tolist()]
        got = np.array([np.nan if v is None else v for v in yes_no], dtype=np.float64)
        value[sel] = got[codes] if len(got) else value[sel]
    number = ~milestone
    if number.any():
        sel = np.flatnonzero(number)
        value[sel] = _numbers(raw[sel].tolist())
    ok &= ~np.isnan(value)
    passed = np.flatnonzero(ok)
    part = {
        "indicator": indicator[passed],
        "area": area[passed],
        "period_date": period_date[passed],
        "value": value[passed],
        "unit": unit[passed],
        "source": source[passed],
        "qualifier": qualifier[passed],
        "note": note[passed],
        "index": at[passed],
    }
    rest = np.ones(n, dtype=bool)
    rest[part["index"]] = False
    return part, np.flatnonzero(rest)


def _try(parse: Any, text: str) -> Any:
    try:
        return parse(text)
    except ValueError:
        return None


def _unit_check(checker: RowChecker, key: str, text: str) -> tuple[str, bool]:
    """(unit as stored, whether RowChecker.check would accept it) for a known indicator."""
    ind = checker.program.indicators.get(key)
    if ind is None:
        return text, False
    if not text and ind.kind == "milestone":
        text = "yes/no"
    if len(text) > MAX_UNIT:
        return text, False
    try:
        unit = checker._unit(text)
        target = checker._ind_units.get(key)
        if target is not None:
            _compatible(unit, target, key)
    except UnitError:
        return text, False
    return text, True


def _numbers(texts: list[str]) -> np.ndarray:
    """float of each text that parse_number(locale="en") reads unchanged, else NaN (the
    row then goes through RowChecker, which says what is wrong or reads "1 000")."""
    import math

    import numpy as np

    if not _NOT_NUMBER_CHARS.search("\n".join(texts)):
        try:
            out = np.fromiter(map(float, texts), dtype=np.float64, count=len(texts))
        except ValueError:
            pass
        else:
            out[~np.isfinite(out)] = np.nan
            return out
    values = []
    for t in texts:
        v = math.nan
        if not _NOT_NUMBER_CHARS.search(t):
            with contextlib.suppress(ValueError):
                v = float(t)
        values.append(v if math.isfinite(v) else math.nan)
    return np.array(values, dtype=np.float64)


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
