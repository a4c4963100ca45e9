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
from datetime import date, timedelta

_EN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# Vietnamese style: "." groups thousands (in threes), "," is the decimal mark.
_VI_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# A split year (fiscal or school year): 2015-16, 2015/16, 2015/2016, 2015-2016.
_SPLIT = re.compile(r"^(\d{4})\s*([-/])\s*(\d{2}|\d{4})$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


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


def parse_period_end(text: str, *, split_year_end: str | None = None) -> date:
    """YYYY, YYYY-MM or YYYY-MM-DD -> the last day of that period.

    A split year (2015-16, 2015/16, 2015/2016: a fiscal or school year) ends on
    `split_year_end` (MM-DD, the programme's) of its second year:

    >>> parse_period_end("2015-16", split_year_end="06-30")
    datetime.date(2016, 6, 30)

    "2011-12" stays December 2011 (a month always wins); write 2011/12 for the split year.
    Without `split_year_end` a split year is refused: there is no safe guess.
    """
    s = str(text).strip()
    m = _DATE.match(s)
    split = _split_year(s)
    if split:
        return _split_year_end(text, split, split_year_end)
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


def _split_year(s: str) -> re.Match[str] | None:
    """The match when `s` is written as a split year (consecutive or not), else None.

    YYYY-NN is a month unless NN is the next year and no month (2015-16);
    "2033-13" is a mistyped month, "2011-12" December: 2011/12 is the split year.
    """
    split = _SPLIT.match(s)
    if split is None:
        return None
    next_year = int(split[3]) == (int(split[1]) + 1) % 100
    if not (split[2] == "-" and len(split[3]) == 2) or (next_year and int(split[3]) > 12):
        return split
    return None


def _split_year_end(text: str, split: re.Match[str], split_year_end: str | None) -> date:
    first = int(split[1])
    second = int(split[3]) if len(split[3]) == 4 else first // 100 * 100 + int(split[3])
    if len(split[3]) == 2 and second <= first:  # 1999-00: the century turns
        second += 100
    if second != first + 1 and len(split[3]) == 2:  # 2024/06: not a split year
        raise ValueError(f'"{text}" is not a date; write YYYY-MM-DD, YYYY-MM or YYYY')
    if second != first + 1:
        raise ValueError(
            f'"{text}" is not a date: a split year (fiscal or school year) covers two '
            f"consecutive years, e.g. {first}-{(first + 1) % 100:02d} or {first}/{first + 1}"
        )
    if split_year_end is None:
        raise ValueError(
            f'"{text}" is a split year (a fiscal or school year); declare when such a year '
            'ends with split_year_end: "MM-DD" in the targets file (e.g. "06-30"), '
            "or write the date the reading describes (YYYY-MM-DD)"
        )
    month, day = parse_month_day(split_year_end)
    return date(second, month, day)


def parse_month_day(text: str) -> tuple[int, int]:
    """ "06-30" -> (6, 30): a day that exists every year (29 February does not)."""
    m = _MONTH_DAY.match(str(text).strip())
    try:
        if not m:
            raise ValueError
        date(2001, int(m[1]), int(m[2]))  # 2001: not a leap year
    except ValueError:
        raise ValueError(
            f'"{text}" is not a day of the year; write MM-DD, e.g. "06-30" '
            "(a day every year has: not 02-29)"
        ) from None
    return int(m[1]), int(m[2])


def period_start(text: str, *, split_year_end: str | None = None) -> date:
    """The first day of the period YYYY, YYYY-MM, YYYY-MM-DD or split year names
    (parse_period_end has already accepted it): a `2026` reading describes a period that
    starts on 2026-01-01, a `2025-26` one (split_year_end 06-30) starts on 2025-07-01."""
    end = parse_period_end(text, split_year_end=split_year_end)
    s = str(text).strip()
    if _split_year(s):
        return date(end.year - 1, end.month, end.day) + timedelta(days=1)
    if len(s) == 4:
        return date(end.year, 1, 1)
    if len(s) == 7:
        return date(end.year, end.month, 1)
    return end
