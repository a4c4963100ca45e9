"""A hand-written inline SVG chart of one numeric target, for the HTML report.

    points = [(date(2023, 12, 31), 71.0), (date(2024, 12, 31), 84.14)]
    svg = chart(row, points, "en", title="Average rural income (income_2030)")

It draws the readings (points joined by a line), the straight path required from the
base point to the target, the dashed projection from the latest reading to the
deadline, and a horizontal line at the target (and its stretch, if any). Axis labels
show the data's min and max and the years. No plotting library: the HTML must stay
small, offline and deterministic. Every text is escaped; coordinates use '%.2f'.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Any

from .i18n import iso_date, number

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 80, 20, 16, 36
COLOURS = {
    "readings": "#0969da",
    "required": "#1a7f37",
    "projection": "#8250df",
    "target": "#cf222e",
    "axis": "#57606a",
}
_MAX_YEAR_LABELS = 8

Point = tuple[date, float]


def _day(value: date) -> date:
    """A plain date: pandas Timestamps do not compare cleanly with datetime.date."""
    return date(value.year, value.month, value.day)


def _years(d: date) -> float:
    # Fractional years from the ordinal day: the same days/365.25 clock assess uses.
    return d.toordinal() / 365.25


class _Scale:
    """Maps (date, value) to pixel coordinates inside the plot area."""

    def __init__(self, dates: list[date], values: list[float]) -> None:
        self.x0, self.x1 = min(map(_years, dates)), max(map(_years, dates))
        if self.x1 - self.x0 < 1e-9:
            self.x0, self.x1 = self.x0 - 0.5, self.x1 + 0.5
        self.lo, self.hi = min(values), max(values)
        span = self.hi - self.lo
        pad = span * 0.08 if span > 0 else max(abs(self.hi) * 0.1, 1.0)
        self.y0, self.y1 = self.lo - pad, self.hi + pad

    def x(self, d: date) -> float:
        return LEFT + (_years(d) - self.x0) / (self.x1 - self.x0) * (WIDTH - LEFT - RIGHT)

    def y(self, v: float) -> float:
        return TOP + (self.y1 - v) / (self.y1 - self.y0) * (HEIGHT - TOP - BOTTOM)

    def xy(self, d: date, v: float) -> str:
        return f"{self.x(d):.2f},{self.y(v):.2f}"


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, extra: str = "") -> str:
    return (
        f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}" '
        f'stroke="{colour}" stroke-width="1.5"{extra}/>'
    )


def _polyline(coordinates: list[str], colour: str) -> str:
    return (
        f'<polyline points="{" ".join(coordinates)}" fill="none" '
        f'stroke="{colour}" stroke-width="1.5"/>'
    )


def _label(x: float, y: float, content: str, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.2f}" y="{y:.2f}" text-anchor="{anchor}" font-size="11" '
        f'fill="{COLOURS["axis"]}">{escape(content)}</text>'
    )


def _year_ticks(first: date, last: date) -> list[tuple[date, str]]:
    years = list(range(first.year + (first != date(first.year, 1, 1)), last.year + 1))
    if not years:  # less than a year shown: label the two ends instead
        return [(first, iso_date(first)), (last, iso_date(last))]
    step = -(-len(years) // _MAX_YEAR_LABELS)  # ceiling division
    return [(date(y, 1, 1), str(y)) for y in years[::step]]


def _point(when: Any, value: float | None) -> Point | None:
    return None if when is None or value is None else (_day(when), value)


def chart(row: dict[str, Any], points: Sequence[Point], lang: str, title: str) -> str:
    """The SVG for one gaps row (see rows.records) and its readings, oldest first.

    Returns "" when there is no reading to draw.
    """
    if not points:
        return ""
    readings = [(_day(d), v) for d, v in points]
    target, stretch = row["target_value"], row["stretch_value"]
    deadline = _day(row["deadline"]) if row["deadline"] is not None else None
    # The base point: the declared baseline, else the first reading (as assess does).
    base = _point(row["baseline_date"], row["baseline_value"]) or readings[0]
    latest = _point(row["latest_date"], row["latest_value"])
    projected = _point(row["deadline"], row["projected_value"])

    dates = [d for d, _ in readings] + [base[0]] + ([deadline] if deadline else [])
    values = (
        [v for _, v in readings]
        + [base[1]]
        + [v for v in (target, stretch, row["projected_value"]) if v is not None]
    )
    s = _Scale(dates, values)
    left, right, bottom = LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        _line(left, bottom, right, bottom, COLOURS["axis"]),
        _line(left, TOP, left, bottom, COLOURS["axis"]),
    ]
    for v in sorted({s.lo, s.hi}):
        parts.append(_line(left - 4, s.y(v), left, s.y(v), COLOURS["axis"]))
        parts.append(_label(left - 6, s.y(v) + 4, number(v, lang), anchor="end"))
    for d, label in _year_ticks(min(dates), max(dates)):
        parts.append(_line(s.x(d), bottom, s.x(d), bottom + 4, COLOURS["axis"]))
        parts.append(_label(s.x(d), bottom + 16, label))

    if target is not None:
        parts.append(_line(left, s.y(target), right, s.y(target), COLOURS["target"]))
        if stretch is not None:
            parts.append(
                _line(
                    left,
                    s.y(stretch),
                    right,
                    s.y(stretch),
                    COLOURS["target"],
                    ' stroke-opacity="0.35"',
                )
            )
        if deadline is not None:
            parts.append(_polyline([s.xy(*base), s.xy(deadline, target)], COLOURS["required"]))
    if latest and projected:
        parts.append(
            _line(
                s.x(latest[0]),
                s.y(latest[1]),
                s.x(projected[0]),
                s.y(projected[1]),
                COLOURS["projection"],
                ' stroke-dasharray="6 4"',
            )
        )
    parts.append(_polyline([s.xy(d, v) for d, v in readings], COLOURS["readings"]))
    for d, v in readings:
        parts.append(
            f'<circle cx="{s.x(d):.2f}" cy="{s.y(v):.2f}" r="3.5" fill="{COLOURS["readings"]}">'
            f"<title>{iso_date(d)}: {escape(number(v, lang))}</title></circle>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
