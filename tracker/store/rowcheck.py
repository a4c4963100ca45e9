"""The rules one reading must follow, wherever it comes from (a file row or `tracker add`).

    >>> row, errors = RowChecker(program).check({"indicator": "communes", "date": "2025-06",
    ...                                          "value": "91", "unit": "communes", "source": "s"})
    >>> row.period_date, errors
    (datetime.date(2025, 6, 30), [])

`check` returns every problem of the row as a sentence; the callers add file:line.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date

from tracker.errors import Problem, ReadingsFileError, UnitError
from tracker.model import QUALIFIERS, Program
from tracker.parsing import parse_number, parse_period_end, parse_yes_no
from tracker.units import Unit, parse_unit

MAX_PROBLEMS = 200  # past this many bad rows, listing more helps nobody

# Column widths of the reading table (store/models.py): longer text is refused at entry.
MAX_AREA = 200

MAX_UNIT = 100


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
            period = parse_period_end(get("date"), split_year_end=self.program.split_year_end)
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
                    compatible(unit, target_unit, key)
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


def compatible(unit: Unit, target: Unit, key: str) -> None:
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
