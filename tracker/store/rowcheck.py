"""One reading as checked (RowData), and one reading checked by the rules of store/rules.py.

    >>> row, errors = RowChecker(program).check({"indicator": "communes", "date": "2025-06",
    ...                                          "value": "91", "unit": "communes", "source": "s"})
    >>> row.period_date, errors
    (datetime.date(2025, 6, 30), [])

`check` returns every problem of the row as a sentence; the callers add file:line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.errors import Problem, ReadingsFileError
from tracker.model import Program
from tracker.store.rules import MAX_AREA, MAX_UNIT, FieldProblem, Rules, compatible

__all__ = ["MAX_AREA", "MAX_UNIT", "FieldProblem", "RowChecker", "RowData", "compatible"]

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
    confirmed: bool = False  # a held reading (a 10x jump) the user confirmed

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
        ) and self.confirmed == other.confirmed


class RowChecker:
    """One reading's fields checked by the same rules as a file (store/rules.py), on
    columns of length one: `tracker add`, `tracker correct` and the web form use it."""

    def __init__(self, program: Program, *, today: date | None = None) -> None:
        self.program = program
        self.today = today

    def problems(
        self, fields: dict[str, str], *, locale: str = "en"
    ) -> tuple[RowData | None, list[FieldProblem]]:
        """(row, []) when valid, else (None, [FieldProblem, ...])."""
        rules = Rules(self.program, locale=locale, today=self.today)
        checked = rules.check({k: [v or ""] for k, v in fields.items()})
        if checked.problems:
            return None, checked.problems[0]
        return RowData(
            indicator=checked.indicator[0],
            area=checked.area[0],
            period_date=checked.period_date[0],
            value=float(checked.value[0]),
            unit=checked.unit[0],
            source=checked.source[0],
            qualifier=checked.qualifier[0],
            note=checked.note[0],
            confirmed=bool(checked.confirmed[0]),
        ), []

    def check(
        self, fields: dict[str, str], *, locale: str = "en"
    ) -> tuple[RowData | None, list[str]]:
        """(row, []) when valid, else (None, [what is wrong, ...])."""
        row, problems = self.problems(fields, locale=locale)
        return row, [str(p) for p in problems]


def field_count_problem(file: str, line: int, got: int, want: int) -> Problem:
    return Problem(
        file,
        line,
        None,
        f"has {got} fields, the header "
        f"has {want}; check for a missing or extra comma "
        "(quote values that contain commas)",
    )


def duplicate_problem(file: str, line: int, row: RowData, first: int) -> Problem:
    return Problem(
        file,
        line,
        None,
        f"{row.indicator} for {row.area} on {row.period_date.isoformat()} is "
        f"already given at line {first}; keep one row per "
        "indicator, area and date",
    )


def refuse(problems: list[Problem], file: str) -> ReadingsFileError:
    return ReadingsFileError(
        problems,
        summary=f"{file}: nothing was imported from this file; "
        "fix the rows above and import it again",
    )


def value_text(value: float, milestone: bool) -> str:
    """A stored value written back as a person (and `RowChecker.check`) reads it: yes/no
    for a milestone, else the shortest plain number that gives back exactly this float."""
    if milestone:
        return "yes" if value else "no"
    short = f"{value:.15g}"
    return short if float(short) == value else repr(float(value))
