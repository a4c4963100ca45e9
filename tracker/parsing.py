"""Numbers and dates as users write them.

    >>> parse_number("84,14", locale="vi")
    84.14
    >>> parse_number("2.240", locale="vi")
    2240.0
    >>> parse_period_end("2024-06")
    datetime.date(2024, 6, 30)

Each function raises ValueError with a sentence that says what is wrong and what is
expected; callers add the file:line.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date

_EN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# Vietnamese style: "." groups thousands (in threes), "," is the decimal mark.
_VI_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_number(text: str, *, locale: str = "en") -> float:
    """A finite number written in the given locale's style ("en": 2240.5, "vi": 2.240,5)."""
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if locale == "vi":
        if not _VI_NUMBER.match(s):
            raise ValueError(
                f'"{text}" is not a number in Vietnamese style '
                '(use "," for decimals and "." for thousands, e.g. 84,14 or 2.240)'
            )
        s = s.replace(".", "").replace(",", ".")
    elif not _EN_NUMBER.match(s):
        hint = ""
        if _VI_NUMBER.match(s) and "," in s:
            # Say what it means read the Vietnamese way, so "2,240" (two thousand?) shows up.
            as_vi = f"{float(s.replace('.', '').replace(',', '.')):.15g}"
            hint = (
                f" (read Vietnamese-style it is {as_vi}: write {as_vi}, or give --locale vi "
                "to tracker add / correct)"
            )
        raise ValueError(
            f'"{text}" is not a number; write it with "." as the decimal mark and no '
            f"thousands separator{hint}"
        )
    value = float(s)
    if not math.isfinite(value):
        raise ValueError(f'"{text}" is not a finite number')
    return value


def parse_yes_no(text: str) -> float:
    """A milestone value: yes/no (also true/false, có/không) -> 1.0 / 0.0."""
    s = text.strip().lower()
    if s in ("yes", "true", "done", "có", "co"):
        return 1.0
    if s in ("no", "false", "không", "khong"):
        return 0.0
    raise ValueError(f'"{text}" is not yes or no (this indicator is a milestone)')


def parse_period_end(text: str) -> date:
    """YYYY, YYYY-MM or YYYY-MM-DD -> the last day of that period."""
    s = str(text).strip()
    m = _DATE.match(s)
    if not m:
        raise ValueError(f'"{text}" is not a date; write YYYY-MM-DD, YYYY-MM or YYYY')
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if month is None:
            return date(year, 12, 31)
        mo = int(month)
        if day is None:
            if not 1 <= mo <= 12:
                raise ValueError
            return date(year, mo, calendar.monthrange(year, mo)[1])
        return date(year, mo, int(day))
    except ValueError:
        raise ValueError(f'"{text}" is not a real date (check the month and day)') from None


def period_start(text: str) -> date:
    """The first day of the period YYYY, YYYY-MM or YYYY-MM-DD names (parse_period_end
    has already accepted it): a `2026` reading describes a period that starts on 2026-01-01."""
    end = parse_period_end(text)
    s = str(text).strip()
    if len(s) == 4:
        return date(end.year, 1, 1)
    if len(s) == 7:
        return date(end.year, end.month, 1)
    return end
