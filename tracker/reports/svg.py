"""A hand-written inline SVG chart of one numeric goal, for the HTML report (and the web).

    points = [(date(2023, 12, 31), 71.0), (date(2024, 12, 31), 84.14)]
    svg = chart(row, points, "en", title="Average rural income (income_2030)")

What it must not do is mislead at a glance (issue 10), so:

- time is placed by date on a linear day scale, with a tick at the **end of each year**
  labelled with that year: a reading for 2025 (dated 2025-12-31) sits on the "2025"
  tick, a deadline "by 2030" on the "2030" tick, a mid-year reading in proportion to
  the day of its year between the two ticks;
- 4-6 round y ticks (`nice_ticks`) and the unit written above the axis;
- the target is a labelled line (a range goal: a band, floor and stretch labelled);
- every reading is a point whose `<title>` gives its date and value; the base point is
  an open square;
- the projection at the pace so far is dashed and stops where the indicator reaches
  what it can (0-100 for a percent, 0 for counts and money), its `<title>` keeps the
  unclipped figure; the required path is drawn only while the goal is not met;
- text is 12 px or more; `role="img"` with an `aria-label` that says the status.

No plotting library: the HTML must stay small, offline and deterministic. Every text
is escaped; coordinates use '%.2f'.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import Any

from . import content
from .i18n import date_text, is_percent_unit, number, status_name, text, unit_text

WIDTH, HEIGHT = 720, 250
LEFT, RIGHT, TOP, BOTTOM = 78, 150, 30, 40
FONT = 13  # px: at least 12 (issue 10), the size of the table's text in print
COLOURS = {
    "readings": "#0969da",
    "base": "#0969da",
    "required": "#1a7f37",
    "projection": "#8250df",
    "target": "#cf222e",
    "axis": "#57606a",
    "grid": "#d8dee4",
}
_MAX_YEAR_LABELS = 12
_SAMPLES = 24  # points along a curved (compound) path

Point = tuple[date, float]


def _day(value: Any) -> date:
    """A plain date: pandas Timestamps do not compare cleanly with datetime.date."""
    return date(value.year, value.month, value.day)


def year_end(year: int) -> date:
    return date(year, 12, 31)


def nice_ticks(
    lo: float, hi: float, floor: float | None = None, ceiling: float | None = None
) -> list[float]:
    """4 to 6 round values (steps of 1, 2, 2.5 or 5 times a power of ten) covering lo..hi,
    kept within [floor, ceiling] (what the indicator can reach) when that is possible."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0, 2.0, 3.0]
    # one value (or two a float cannot tell apart): a band around it, on the side the
    # indicator can go
    if hi - lo < 1e-300:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
        if ceiling is not None and hi > ceiling >= lo + pad:
            lo, hi = lo - (hi - ceiling), ceiling
        if floor is not None and lo < floor <= hi - pad:
            lo, hi = floor, hi + (floor - lo)
    if not math.isfinite(hi - lo) or hi - lo < 1e-300:  # absurd figures: five even ticks
        return [lo + i * (hi / 4 - lo / 4) for i in range(5)]
    magnitude = math.floor(math.log10(hi - lo))
    best: list[float] | None = None
    best_inside = False
    for exp in range(magnitude - 2, magnitude + 2):
        for m in (1, 2, 2.5, 5):
            try:
                step = m * 10.0**exp
            except OverflowError:
                continue
            if not math.isfinite(step * 6):
                continue
            first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
            n = last - first + 1
            if not 4 <= n <= 6:
                continue
            inside = (floor is None or first * step >= floor - 1e-9) and (
                ceiling is None or last * step <= ceiling + 1e-9
            )
            better = best is None or (inside, step) > (best_inside, best[1] - best[0])
            if better:
                best, best_inside = [(first + i) * step for i in range(n)], inside
    if best is None:  # no round step fits (near the float limits): five even ticks
        return [lo + i * (hi / 4 - lo / 4) for i in range(5)]
    return [round(v, 12) for v in best]


def bounds(row: dict[str, Any]) -> tuple[float | None, float | None]:
    """What the indicator can reach: 0-100 for a percent, >= 0 for counts and money."""
    if is_percent_unit(row["unit"]):
        return 0.0, 100.0
    if row.get("kind") == "measure":  # measures may be negative (DESIGN.md, data quality)
        return None, None
    return 0.0, None


@dataclass(frozen=True)
class Frame:
    """The chart's coordinate system: a day scale between two year ends, a value scale."""

    start: date  # the year end left of the first date
    end: date  # the year end of the last date
    y_ticks: tuple[float, ...]

    def x(self, d: date) -> float:
        days = (self.end - self.start).days
        return LEFT + (d - self.start).days / days * (WIDTH - LEFT - RIGHT)

    def y(self, v: float) -> float:
        lo, hi = self.y_ticks[0], self.y_ticks[-1]
        # halves: hi - lo may not fit in a float when the figures are absurd
        span = hi / 2 - lo / 2
        if span == 0:  # ticks that underflowed to one value (a denormal reading): mid-height
            return TOP + (HEIGHT - TOP - BOTTOM) / 2
        return TOP + (hi / 2 - v / 2) / span * (HEIGHT - TOP - BOTTOM)

    def xy(self, d: date, v: float) -> str:
        return f"{self.x(d):.2f},{self.y(v):.2f}"

    def year_ticks(self) -> list[tuple[date, str | None]]:
        """A tick at every year end; a label ("2025") on all of them, or every k-th."""
        years = list(range(self.start.year, self.end.year + 1))
        step = -(-len(years) // _MAX_YEAR_LABELS)  # ceiling division
        return [(year_end(y), str(y) if (self.end.year - y) % step == 0 else None) for y in years]


def make_frame(
    dates: Sequence[date],
    values: Sequence[float],
    limits: tuple[float | None, float | None] = (None, None),
) -> Frame:
    first, last = min(dates), max(dates)
    return Frame(
        start=year_end(first.year - 1),
        end=year_end(last.year),
        y_ticks=tuple(nice_ticks(min(values), max(values), *limits)),
    )


def _path(start: Point, until: date, rate: float, compound: bool) -> list[Point]:
    """Points along y(t) from `start` at `rate` a year (compound: growth, else slope)."""
    (t0, y0), days = start, (until - start[0]).days
    out = []
    for i in range(_SAMPLES + 1):
        t = t0 + timedelta(days=days * i / _SAMPLES)
        years = (t - t0).days / 365.25
        try:
            y = y0 * (1.0 + rate) ** years if compound else y0 + rate * years
        except OverflowError:
            y = math.inf
        if not math.isfinite(y):
            break  # absurd figures: draw what is finite, never crash the report
        out.append((t, y))
    return out if len(out) > 1 else []


def clip(path: list[Point], lo: float | None, hi: float | None) -> tuple[list[Point], bool]:
    """The path up to where it first leaves [lo, hi] (the crossing interpolated), and
    whether it was cut."""
    out = [path[0]]
    for (t_a, y_a), (t_b, y_b) in zip(path, path[1:], strict=False):
        limit = hi if hi is not None and y_b > hi else lo if lo is not None and y_b < lo else None
        if limit is None:
            out.append((t_b, y_b))
            continue
        share = (limit - y_a) / (y_b - y_a) if y_b != y_a else 0.0
        out.append((t_a + (t_b - t_a) * share, limit))
        return out, True
    return out, False


def _line(
    x1: float, y1: float, x2: float, y2: float, colour: str, extra: str = "", width: float = 1.5
) -> str:
    return (
        f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}" '
        f'stroke="{colour}" stroke-width="{width}"{extra}/>'
    )


def _polyline(f: Frame, points: list[Point], colour: str, extra: str = "", width: float = 2) -> str:
    coordinates = " ".join(f.xy(d, v) for d, v in points)
    return (
        f'<polyline points="{coordinates}" fill="none" stroke="{colour}" '
        f'stroke-width="{width}"{extra}/>'
    )


def _label(x: float, y: float, body: str, anchor: str = "middle", colour: str = "") -> str:
    return (
        f'<text x="{x:.2f}" y="{y:.2f}" text-anchor="{anchor}" font-size="{FONT}" '
        f'fill="{colour or COLOURS["axis"]}">{escape(body)}</text>'
    )


def chart(row: dict[str, Any], points: Sequence[Point], lang: str, title: str) -> str:
    """The SVG for one gaps row (see rows.records) and its readings, oldest first.

    Returns "" when there is no reading to draw.
    """
    if not points:
        return ""
    readings = sorted((_day(d), float(v)) for d, v in points)
    target, stretch = row["target_value"], row["stretch_value"]
    deadline = _day(row["deadline"]) if row["deadline"] is not None else None
    base: Point = (
        (_day(row["baseline_date"]), float(row["baseline_value"]))
        if row["baseline_date"] is not None and row["baseline_value"] is not None
        else readings[0]
    )
    latest = (
        (_day(row["latest_date"]), float(row["latest_value"]))
        if row["latest_date"] is not None and row["latest_value"] is not None
        else None
    )
    met = row["status"] == "achieved"
    lo_bound, hi_bound = bounds(row)
    compound = row["trend"] == "compound"

    projection: list[Point] = []
    clipped = False
    if (
        latest is not None
        and deadline is not None
        and row["observed_rate"] is not None
        and not met
        and deadline > latest[0]
    ):
        path = _path(latest, deadline, row["observed_rate"], compound)
        projection, clipped = clip(path, lo_bound, hi_bound) if path else ([], False)
    required: list[Point] = []
    if not met and target is not None and deadline is not None and deadline > base[0]:
        if row["required_rate"] is not None:
            required = _path(base, deadline, row["required_rate"], compound)
        else:
            required = [base, (deadline, target)]

    dates = [d for d, _ in readings] + [base[0]] + ([deadline] if deadline else [])
    values = [v for _, v in readings] + [base[1]]
    values += [v for v in (target, stretch) if v is not None]
    values += [v for _, v in projection + required]
    values = [v for v in values if math.isfinite(v)]
    f = make_frame(dates, values, (lo_bound, hi_bound))
    left, right, bottom = LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM

    aria = text(
        lang,
        "chart_aria",
        goal=title,
        status=status_name(lang, row["status"]),
        latest=content.latest_text(row, lang),
        target=content.target_text(row, lang),
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(aria)}" '
        f'font-family="system-ui, sans-serif">',
        f"<title>{escape(aria)}</title>",
    ]
    # value axis: round ticks as grid lines, the unit above them
    for v in f.y_ticks:
        parts.append(_line(left, f.y(v), right, f.y(v), COLOURS["grid"], width=1))
        parts.append(_label(left - 6, f.y(v) + 4, number(v, lang), anchor="end"))
    parts.append(_label(8, TOP - 14, unit_text(row["unit"], lang), anchor="start"))
    # time axis: a tick at each year end, labelled with that year
    parts.append(_line(left, bottom, right, bottom, COLOURS["axis"]))
    for d, label in f.year_ticks():
        parts.append(_line(f.x(d), bottom, f.x(d), bottom + 5, COLOURS["axis"]))
        if label:
            parts.append(_label(f.x(d), bottom + 20, label))

    if target is not None:
        parts += _target(f, target, stretch, lang)
    if required:
        parts.append(_polyline(f, required, COLOURS["required"], ' opacity="0.8"', width=1.5))
    if projection:
        shown = number(row["projected_value"], lang) if row["projected_value"] is not None else ""
        tip = text(
            lang,
            "chart_projection_title",
            date=date_text(deadline, lang) if deadline else "",
            value=content.value_text(row["projected_value"], row, lang) if shown else "",
        )
        if clipped:
            limit = hi_bound if projection[-1][1] == hi_bound else lo_bound
            limit_text = content.value_text(limit or 0.0, row, lang)
            tip += "; " + text(lang, "chart_clipped", limit=limit_text)
        parts.append(
            f'<g class="projection"><title>{escape(tip)}</title>'
            + _polyline(f, projection, COLOURS["projection"], ' stroke-dasharray="7 5"')
            + "</g>"
        )
    parts.append(_polyline(f, readings, COLOURS["readings"]))
    bx, by = f.x(base[0]), f.y(base[1])
    base_tip = text(
        lang,
        "chart_base_title",
        date=date_text(base[0], lang),
        value=content.value_text(base[1], row, lang),
    )
    parts.append(
        f'<rect class="base" x="{bx - 6:.2f}" y="{by - 6:.2f}" width="12" height="12" '
        f'fill="#ffffff" stroke="{COLOURS["base"]}" stroke-width="2">'
        f"<title>{escape(base_tip)}</title></rect>"
    )
    for d, v in readings:
        tip = text(
            lang,
            "chart_reading_title",
            date=date_text(d, lang),
            value=content.value_text(v, row, lang),
        )
        parts.append(
            f'<circle class="reading" cx="{f.x(d):.2f}" cy="{f.y(v):.2f}" r="4.5" '
            f'fill="{COLOURS["readings"]}"><title>{escape(tip)}</title></circle>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _target(f: Frame, target: float, stretch: float | None, lang: str) -> list[str]:
    """The target as a labelled line; a range as a band with floor and stretch labelled."""
    left, right = LEFT, WIDTH - RIGHT
    colour = COLOURS["target"]
    if stretch is None:
        label = f"{text(lang, 'chart_target')} {number(target, lang)}"
        return [
            _line(left, f.y(target), right, f.y(target), colour, ' class="target"'),
            _label(right + 6, f.y(target) + 4, label, anchor="start", colour=colour),
        ]
    top, low = max(target, stretch), min(target, stretch)
    y_floor, y_stretch = f.y(target), f.y(stretch)
    # keep the two labels apart when the band is thin
    gap = abs(y_floor - y_stretch)
    nudge = max(0.0, (FONT + 2 - gap) / 2)
    sign = 1 if y_floor > y_stretch else -1
    return [
        f'<rect class="target-band" x="{left:.2f}" y="{f.y(top):.2f}" '
        f'width="{right - left:.2f}" height="{f.y(low) - f.y(top):.2f}" '
        f'fill="{colour}" fill-opacity="0.08"/>',
        _line(left, y_floor, right, y_floor, colour, ' class="target"'),
        _line(left, y_stretch, right, y_stretch, colour, ' class="stretch" stroke-opacity="0.5"'),
        _label(
            right + 6,
            y_floor + 4 + sign * nudge,
            f"{text(lang, 'chart_floor')} {number(target, lang)}",
            anchor="start",
            colour=colour,
        ),
        _label(
            right + 6,
            y_stretch + 4 - sign * nudge,
            f"{text(lang, 'chart_stretch')} {number(stretch, lang)}",
            anchor="start",
            colour=colour,
        ),
    ]
