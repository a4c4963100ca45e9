"""What the assessment says about a row besides its numbers, as codes with parameters.

assess.py emits `Note`s (the gaps frame's `notes` column) and `Conversion`s (the
readings frame's rate columns); each report renders them in its own language
(reports/i18n.py). The English sentences here are the machine contract: the `note`
column of gap-report.json / .csv and the `conversion` text. No module reads these
sentences back: text is never an interface between modules.

    >>> english([Note("qualified_latest", (("qualifier", "more_than"), ("value", 5000.0)))])
    'latest reading is a bound: more than 5000'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

# Every code assess.py can emit, with the English (contract) sentence it stands for.
NOTE_CODES = (
    "qualified_latest",  # qualifier, value: the latest reading is a bound or approximate
    "reading_not_assessed",  # date, error, error_code, unit: a reading could not be converted
    "compound_fallback",  # compound trend impossible with zero or negative values
    "base_on_target",  # the base point already sits on the target (required rate 0)
    "milestone_not_reached",
    "fewer_than_two_points",
    "latest_not_after_base",
    "trend_not_computed",
    "no_base_reading",  # date: `baseline: {date}` and no reading on or after it
    "method_no_rule",  # method: that method has no rule for a goal without a number
)

_QUALIFIER_EN = {
    "more_than": "a bound: more than",
    "less_than": "a bound: less than",
    "almost": "a bound: almost",
    "about": "approximate: about",
}

_FIXED_EN = {
    "compound_fallback": "compound trend impossible with zero or negative values; used linear",
    "base_on_target": "base already on the target (required rate 0)",
    "milestone_not_reached": "milestone not yet reached",
    "fewer_than_two_points": "fewer than two points: no trend yet",
    "latest_not_after_base": "latest reading is not after the base point: no trend",
    "trend_not_computed": "trend could not be computed",
}


@dataclass(frozen=True)
class Note:
    """One finding about a row: a code from NOTE_CODES and its parameters (hashable)."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if self.code not in NOTE_CODES:
            raise ValueError(f"unknown note code {self.code!r}")

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.params).get(key, default)


def english_one(note: Note) -> str:
    """The contract sentence of one note (numbers as Python writes them, dates ISO)."""
    if note.code == "qualified_latest":
        qualifier = _QUALIFIER_EN.get(note.get("qualifier"), "qualified:")
        return f"latest reading is {qualifier} {note.get('value'):.15g}"
    if note.code == "no_base_reading":
        day: date = note.get("date")
        return f"no reading on or after the baseline date {day.isoformat()}"
    if note.code == "method_no_rule":
        return (
            f"method {note.get('method')} has no rule for a goal without a number; "
            "judged by statcan"
        )
    if note.code == "reading_not_assessed":
        when: date = note.get("date")
        return (
            f"reading of {when.year:04d}-{when.month:02d}-{when.day:02d} not assessed: "
            f"{note.get('error') or 'no value'}"
        )
    return _FIXED_EN[note.code]


def english(notes: tuple[Note, ...] | list[Note]) -> str:
    """A row's `note` contract text: its notes in English, joined with "; "."""
    return "; ".join(english_one(n) for n in notes)


@dataclass(frozen=True)
class Conversion:
    """How one reading was converted to its target's unit with a declared exchange rate.

    `rate` units of `rate_to` buy one `rate_from` in `rate_year` (as declared in the
    targets file, whichever way the conversion went).
    """

    raw_value: float
    raw_unit: str
    value: float
    unit: str
    rate: float
    rate_from: str
    rate_to: str
    rate_year: int
    estimate: bool

    def english(self) -> str:
        """The `conversion` contract text, e.g. "92.5 triệu đồng/người/năm = 3,627.45
        USD/person/year at 25,500 VND/USD (2025, estimate)"."""
        from tracker.units import fmt_plain

        return (
            f"{fmt_plain(self.raw_value)} {self.raw_unit} = {fmt_plain(self.value)} {self.unit} "
            f"at {fmt_plain(self.rate)} {self.rate_to}/{self.rate_from} ({self.rate_year}"
            f"{', estimate' if self.estimate else ''})"
        )
