"""A reading file checked a column at a time: what a bulk import needs for a big file.

Each distinct text of a column (indicator, date, unit, source, ...) is checked once; only
the rows the column checks cannot vouch for go through `RowChecker.check`, so every
message and line number is the one the row-by-row reading gives. `check_columns`
returns None when the row-by-row reading must decide (a record spanning lines, or
invalid CSV), and readingfile.py then does.
"""

from __future__ import annotations

import contextlib
import csv
import re
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from tracker.errors import Problem, UnitError
from tracker.model import QUALIFIERS, Program
from tracker.parsing import parse_period_end, parse_yes_no
from tracker.store.rowcheck import (
    MAX_AREA,
    MAX_PROBLEMS,
    MAX_UNIT,
    RowChecker,
    RowData,
    compatible,
    duplicate_problem,
    field_count_problem,
    refuse,
)

if TYPE_CHECKING:
    import numpy as np

_CHUNK = 100_000  # records checked at once: bounds the memory of raw CSV fields

# Within these characters, float() accepts exactly what parse_number accepts in "en" style.
_NOT_NUMBER_CHARS = re.compile(r"[^0-9.eE+\-\n]")


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


def check_columns(reader: Any, cols: list[str], file: str, program: Program) -> ReadingTable | None:
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
                problems[line] = [field_count_problem(file, line, len(record), len(cols))]
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
        raise refuse(_first_problems(problems, miscounted, checked), file)
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
        problems[line] = [duplicate_problem(file, line, row, int(first[j]))]
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
    split_end = program.split_year_end
    days = [_try(lambda d: parse_period_end(d, split_year_end=split_end), d) for d in date_u]
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
            compatible(unit, target, key)
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
