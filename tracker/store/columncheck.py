"""A reading file checked a column at a time: what a bulk import needs for a big file.

The records are handed to `Rules.check` (store/rules.py) a chunk at a time: each
distinct text of a column (indicator, date, unit, source, ...) is checked once, by the
same rules that check a single typed reading. `check_columns` returns None when the
records do not sit one per line (a record spanning lines, or invalid CSV), and
readingfile.py then reads them with csv's own line count.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from tracker.errors import Problem
from tracker.model import Program
from tracker.store.rowcheck import (
    MAX_PROBLEMS,
    RowData,
    duplicate_problem,
    field_count_problem,
    refuse,
)
from tracker.store.rules import Rules

if TYPE_CHECKING:
    import numpy as np

_CHUNK = 100_000  # records checked at once: bounds the memory of raw CSV fields


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
    confirmed: np.ndarray

    def __len__(self) -> int:
        return len(self.line)

    def rows(self) -> list[RowData]:
        return [
            RowData(i, a, d, v, u, s, q, n, ln, c)
            for i, a, d, v, u, s, q, n, ln, c in zip(
                self.indicator.tolist(),
                self.area.tolist(),
                self.period_date.tolist(),
                self.value.tolist(),
                self.unit.tolist(),
                self.source.tolist(),
                self.qualifier.tolist(),
                self.note.tolist(),
                self.line.tolist(),
                self.confirmed.tolist(),
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
            confirmed=np.array([r.confirmed for r in rows], dtype=bool),
        )


_FIELDS = (
    "indicator",
    "area",
    "period_date",
    "value",
    "unit",
    "source",
    "qualifier",
    "note",
    "confirmed",
    "line",
)


def check_columns(reader: Any, cols: list[str], file: str, program: Program) -> ReadingTable | None:
    """Check the records a chunk at a time; None when the records do not sit one per line
    (a record spanning lines, where line numbers need csv's own count, or invalid CSV)."""
    rules = Rules(program)
    parts: list[ReadingTable] = []
    problems: dict[int, list[Problem]] = {}
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
        lines = range(before + 1, before + 1 + len(chunk))
        parts.append(check_records(rules, chunk, lines, cols, file, problems))
    return finish(parts, file, problems)


def check_records(
    rules: Rules,
    records: list[list[str]],
    lines: Any,
    cols: list[str],
    file: str,
    problems: dict[int, list[Problem]],
) -> ReadingTable:
    """The valid rows of `records` (at `lines`); the problems of the others go to `problems`."""
    import numpy as np
    import pandas as pd

    n = len(records)
    line_of = np.fromiter(lines, dtype=np.int64, count=n)
    width = np.fromiter(map(len, records), dtype=np.int64, count=n)
    full = width == len(cols)
    blank = np.zeros(n, dtype=bool)  # every field empty or spaces: the row is skipped
    for i in np.flatnonzero(~full).tolist():
        blank[i] = not any(c.strip() for c in records[i])
    at_full = np.flatnonzero(full)
    grid = np.empty((len(at_full), len(cols)), dtype=object)
    if len(at_full):
        grid[:] = [records[i] for i in at_full.tolist()] if len(at_full) < n else records
        # A full row can be blank only if its first field is: each distinct first field
        # is looked at once, and only the rows it leaves in doubt field by field.
        codes, uniques = pd.factorize(grid[:, 0])
        empty = np.array([not u.strip() for u in uniques.tolist()] + [False], dtype=bool)
        for j in np.flatnonzero(empty[codes]).tolist():
            blank[at_full[j]] = not any(c.strip() for c in grid[j].tolist())
    for i in np.flatnonzero(~full & ~blank).tolist():
        line = int(line_of[i])
        problems[line] = [field_count_problem(file, line, int(width[i]), len(cols))]
    at = np.flatnonzero(full & ~blank)
    if len(at) < len(at_full):
        grid = grid[~blank[at_full]]
    checked = rules.check({c: grid[:, k] for k, c in enumerate(cols)})
    ok = np.ones(len(at), dtype=bool)
    for j, ps in checked.problems.items():
        ok[j] = False
        line = int(line_of[at[j]])
        problems[line] = [Problem(file, line, None, str(p)) for p in ps]
    return ReadingTable(
        **{k: getattr(checked, k)[ok] for k in _FIELDS if k != "line"},
        line=line_of[at][ok],
    )


def finish(
    parts: list[ReadingTable], file: str, problems: dict[int, list[Problem]]
) -> ReadingTable:
    """One table of the valid rows; ReadingsFileError when any row (or a repeat) is bad."""
    import numpy as np

    table = (
        ReadingTable(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in _FIELDS})
        if parts
        else ReadingTable.from_rows([])
    )
    table = _drop_duplicates(table, file, problems)
    if problems:
        listed: list[Problem] = []
        for line in sorted(problems):
            listed.extend(problems[line])
            if len(listed) >= MAX_PROBLEMS:
                break
        raise refuse(listed, file)
    return table


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
    return ReadingTable(**{k: getattr(table, k)[keep] for k in _FIELDS})
