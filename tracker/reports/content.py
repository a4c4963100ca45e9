"""What the human reports (Markdown, HTML, DOCX, XLSX labels) say, as plain unescaped text.

markdown.py, html.py, docx.py and the XLSX only lay this out and escape it, so every
format (and the web page) says the same thing in the same words:

    rows = records(gaps)
    title(ctx), meta_line(ctx)
    headline(rows, lang)            # [("achieved", "Achieved", 3), ("on_track", "On track", 2)...]
    for year, group in by_deadline_year(rows):
        for row in group:
            cells(row, lang)        # Cells(goal=..., target="≥ 5,000 USD/person/year", ...)
    change_lines(ctx)               # None on a first run
    stale_lines(rows, lang), failed_run_lines(ctx), rate_lines(rows, readings, ctx)
    how_to_read(ctx)                # the closing "How to read this report" section
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from ..frames import STATUSES
from ..notes import Conversion
from . import compare
from .context import ReportContext
from .i18n import (
    COMPARATOR_SYMBOLS,
    QUALIFIER_SYMBOLS,
    STATUS_MEANINGS,
    conversion_text,
    date_text,
    is_percent_unit,
    maybe_number,
    moment_text,
    note_text,
    number,
    rate,
    status_name,
    text,
    with_unit,
)

Row = dict[str, Any]
DASH = "—"
COLUMNS = ("goal", "target", "latest", "gap", "needed", "status", "note")


@dataclass(frozen=True)
class Cells:
    """One table row, each cell as display text; `status` is the key, for colouring."""

    goal: str
    target: str
    latest: str
    gap: str
    needed: str
    status_text: str
    note: str
    status: str
    flag: str = ""  # "methods disagree" beside the status of a fragile goal (compare.py)

    def as_list(self) -> list[str]:
        return [
            self.goal,
            self.target,
            self.latest,
            self.gap,
            self.needed,
            " · ".join(t for t in (self.status_text, self.flag) if t),
            self.note,
        ]


def column_headers(lang: str) -> list[str]:
    return [text(lang, f"col_{c}") for c in COLUMNS]


def title(ctx: ReportContext) -> str:
    return f"{text(ctx.lang, 'title')}: {ctx.program_name()}"


def meta_line(ctx: ReportContext) -> str:
    lang = ctx.lang
    return (
        f"{text(lang, 'region')}: {ctx.region_name()} · {text(lang, 'as_of')}: "
        f"{date_text(ctx.as_of, lang)} · {text(lang, 'generated')}: {moment(ctx, ctx.generated_at)}"
    )


def headline(rows: list[Row], lang: str) -> list[tuple[str, str, int]]:
    """(status, its name, count) for every status in the table's order, zeros included:
    the same names and order as the table and the legend (absence is news too)."""
    counts = {s: 0 for s in STATUSES}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return [(s, status_name(lang, s), n) for s, n in counts.items()]


def by_deadline_year(rows: list[Row]) -> list[tuple[int | None, list[Row]]]:
    """Rows grouped by deadline year, earliest first; frame order kept within a year."""
    groups: dict[int | None, list[Row]] = {}
    for row in rows:
        year = row["deadline"].year if row["deadline"] is not None else None
        groups.setdefault(year, []).append(row)
    return sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))


def year_heading(year: int | None, lang: str) -> str:
    return text(lang, "due", year=year) if year is not None else text(lang, "due_unknown")


def goal_name(row: Row, lang: str) -> str:
    """The indicator's name in `lang`, else the other language, else its key."""
    names = (row["name_vi"], row["name_en"]) if lang == "vi" else (row["name_en"], row["name_vi"])
    return next((n for n in names if n), row["indicator"])


def goal_label(row: Row, lang: str) -> str:
    """The indicator's name in `lang` and the target id."""
    return f"{goal_name(row, lang)} ({row['target']})"


def _is_milestone(row: Row) -> bool:
    return row["kind"] == "milestone" or row["comparator"] == "done"


def _amount(value: float, row: Row, lang: str) -> str:
    """A value in the target's unit, short: "59.3%" for percent, the bare number otherwise."""
    shown = number(value, lang)
    return shown + "%" if is_percent_unit(row["unit"]) else shown


def value_text(value: float, row: Row, lang: str) -> str:
    """A value with the target's unit in `lang`: "3,627.45 USD/person/year", "59.34%"."""
    return with_unit(number(value, lang), row["unit"], lang)


def _difference(value: float, row: Row, lang: str) -> str:
    """A distance in the target's unit: for percent, percentage points ("3 pp", not "3%")."""
    shown = number(value, lang)
    return f"{shown} {text(lang, 'pp')}" if is_percent_unit(row["unit"]) else shown


def target_text(row: Row, lang: str) -> str:
    value = row["target_value"]
    words = compare.target_words(row, lang)  # a goal without a number
    if words:
        return words
    if _is_milestone(row):
        return text(lang, "done") if value is None or value >= 0.5 else text(lang, "not_done")
    if value is None:
        return DASH
    if row["stretch_value"] is not None:  # a range goal: met at its floor
        span = f"{number(value, lang)}–{number(row['stretch_value'], lang)}"
        return with_unit(span, row["unit"], lang)
    symbol = COMPARATOR_SYMBOLS.get(row["comparator"] or "", "")
    return f"{symbol} {with_unit(number(value, lang), row['unit'], lang)}".strip()


def latest_text(row: Row, lang: str) -> str:
    value = row["latest_value"]
    if value is None:
        return DASH
    if _is_milestone(row):
        shown = text(lang, "yes") if value >= 0.5 else text(lang, "no")
    else:
        shown = _amount(value, row, lang)
        qualifier = row["latest_qualifier"]
        if qualifier == "almost":
            shown = f"{text(lang, 'almost')} {shown}"
        elif qualifier in QUALIFIER_SYMBOLS:
            shown = f"{QUALIFIER_SYMBOLS[qualifier]} {shown}"
    if row["latest_date"] is not None:
        shown += f" ({date_text(row['latest_date'], lang)})"
    return shown


def gap_text(row: Row, lang: str) -> str:
    # A milestone's gap is 0 or 1: the status already says "done or not", more clearly.
    if row["gap"] is None or _is_milestone(row):
        return DASH
    shown = _difference(row["gap"], row, lang)
    if row["stretch_gap"] is not None and row["stretch_gap"] > 0:
        shown += f" ({text(lang, 'stretch_gap')}: {_difference(row['stretch_gap'], row, lang)})"
    return shown


def needed_pace(row: Row) -> float | None:
    """The needed rate as the report shows it, in the unit `rate` says.

    A percent goal's pace is shown in percentage points a year whatever its trend:
    "19.4%/yr" of a share is relative growth and reads as points. For a compound percent
    goal that is the average pace (target - latest) / years left.
    """
    needed = row["needed_rate"]
    if needed is None:
        return None
    if is_percent_unit(row["unit"]) and row["trend"] == "compound":
        latest, target = row["latest_value"], row["target_value"]
        if latest is None or target is None or row["latest_date"] is None:
            return None
        years = (_day(row["deadline"]) - _day(row["latest_date"])).days / 365.25
        return (target - latest) / years if years > 0 else None
    return float(needed)


def _day(value: Any) -> date:
    return date(value.year, value.month, value.day)


def needed_text(row: Row, lang: str) -> str:
    # Once a goal is met the "pace needed" is at most a licence to slip: not worth a cell.
    pace = needed_pace(row)
    if pace is None or row["status"] == "achieved" or not math.isfinite(pace):
        return DASH
    return rate(pace, row["trend"], row["unit"], lang)


def conversion_of(row: Row) -> Conversion | None:
    """How the row's latest reading was converted (its rate columns), or None."""
    if row.get("latest_rate") is None or row.get("latest_raw_value") is None:
        return None
    return Conversion(
        raw_value=row["latest_raw_value"],
        raw_unit=row["latest_raw_unit"] or "",
        value=row["latest_value"],
        unit=row["unit"] or "",
        rate=row["latest_rate"],
        rate_from=row["latest_rate_from"] or "",
        rate_to=row["latest_rate_to"] or "",
        rate_year=int(row["latest_rate_year"]),
        estimate=bool(row["latest_rate_estimate"]),
    )


def note_parts(row: Row, lang: str) -> list[str]:
    """The row's notes in `lang` (from their codes), then how its latest reading was
    converted: the rate is part of the finding, so it is said in the row itself."""
    parts = [note_text(n, row, lang) for n in row.get("notes") or ()]
    if not parts and row["note"] and not row.get("notes"):
        parts = [row["note"]]  # a frame built without codes (an older caller): as given
    conversion = conversion_of(row)
    if conversion is not None:
        parts.append(conversion_text(conversion, lang))
    return parts


def cells(row: Row, lang: str) -> Cells:
    return Cells(
        goal=goal_label(row, lang),
        target=target_text(row, lang),
        latest=latest_text(row, lang),
        gap=gap_text(row, lang),
        needed=needed_text(row, lang),
        status_text=status_name(lang, row["status"]),
        note="; ".join(note_parts(row, lang)),
        status=row["status"],
        flag=compare.fragile_words(row, lang),
    )


def moment(ctx: ReportContext, value: datetime) -> str:
    """A moment in the report's language, on the report's clock (the zone of
    `generated_at`); a naive moment is UTC, as the store records them."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # The calendar's last hours (--known-at 9999-12-31) have no local time: they stay in UTC.
    with contextlib.suppress(OverflowError):
        value = value.astimezone(ctx.generated_at.tzinfo)
    return moment_text(value, ctx.lang)


def notices(ctx: ReportContext) -> list[str]:
    """Sentences that must be read before the tables: catch-up run, historical rebuild."""
    out = []
    if ctx.catch_up:
        out.append(text(ctx.lang, "catch_up"))
    if ctx.known_at is not None:
        out.append(text(ctx.lang, "known_at", at=moment(ctx, ctx.known_at)))
    out.extend(ctx.notices)
    return out


def changes_heading(ctx: ReportContext) -> str:
    if ctx.previous_run_at is None:
        return text(ctx.lang, "changes")
    return text(ctx.lang, "changes_since", at=moment(ctx, ctx.previous_run_at))


def change_lines(ctx: ReportContext) -> list[str] | None:
    """One line per change; None on a first run (nothing to compare with)."""
    if ctx.previous_run_at is None and not ctx.changes:
        return None
    lang = ctx.lang
    lines = []
    for change in ctx.changes:
        if change.kind == "status":
            before = status_name(lang, change.before) if change.before else DASH
            after = status_name(lang, change.after) if change.after else DASH
        elif change.reading is not None:
            ref = change.reading
            after = text(
                lang,
                "reading_ref",
                id=ref.id,
                value=with_unit(number(ref.value, lang), ref.unit, lang),
                date=date_text(ref.period, lang),
            )
            before = text(lang, "reading_id", id=ref.revision_of) if ref.revision_of else DASH
            if change.kind == "retracted_reading":
                before = after
        else:
            before, after = maybe_number(change.before, lang), maybe_number(change.after, lang)
        line = text(lang, f"ch_{change.kind}", before=before, after=after)
        subject = change.target or (change.indicator and ctx.indicator_name(change.indicator))
        if subject:
            line = f"{subject}: {line}"
        if change.detail:
            line += f" ({change.detail})"
        lines.append(line)
    return lines


def failed_run_lines(ctx: ReportContext) -> list[str]:
    lines = []
    for run in ctx.failed_runs:
        line = moment(ctx, run.started_at)
        if run.scheduled_for is not None:
            slot = moment(ctx, run.scheduled_for)
            line += f" ({text(ctx.lang, 'failed_slot', slot=slot)})"
        lines.append(f"{line}: {run.error}")
    return lines


def stale_lines(rows: list[Row], lang: str) -> list[str]:
    return [
        f"{goal_label(r, lang)}: "
        + text(
            lang,
            "stale_item",
            date=date_text(r["latest_date"], lang) if r["latest_date"] else DASH,
        )
        for r in rows
        if r["stale"]
    ]


@dataclass(frozen=True)
class RateLine:
    """One declared exchange rate and every reading of this report it converted."""

    text: str  # "1 USD = 25,500 VND (2025); source: ...; estimate: ..."
    converted: tuple[str, ...]  # "Average rural income, reading of 31 Dec 2025: 92.5 ... = ..."


def rate_lines(rows: list[Row], readings: pd.DataFrame, ctx: ReportContext) -> list[RateLine]:
    """Each declared exchange rate, its source, whether it is an estimate, and the readings
    (base points included) it converted, read off the readings' rate columns."""
    lang = ctx.lang
    names = {r["indicator"]: goal_name(r, lang) for r in rows}
    units = {r["indicator"]: r["unit"] for r in rows}
    bases = {(r["indicator"], _day(r["baseline_date"])) for r in rows if r["baseline_date"]}
    used: dict[tuple[str, str, int], list[str]] = {}
    if not readings.empty and "rate" in readings.columns:
        mine = readings[readings["rate"].notna() & (readings["area"] == ctx.region)]
        mine = mine.sort_values(["indicator", "date"], kind="stable")
        for r in mine.to_dict("records"):
            key = (str(r["rate_from"]), str(r["rate_to"]), int(r["rate_year"]))
            when = _day(r["date"])
            indicator = r["indicator"]
            label = "base_point_of" if (indicator, when) in bases else "reading_of"
            who = text(
                lang, label, name=names.get(indicator, indicator), date=date_text(when, lang)
            )
            how = conversion_text(
                Conversion(
                    float(r["raw_value"]),
                    str(r["unit"]),
                    float(r["value"]),
                    units.get(indicator) or "",
                    float(r["rate"]),
                    key[0],
                    key[1],
                    key[2],
                    bool(r["rate_estimate"]),
                ),
                lang,
            )
            used.setdefault(key, []).append(f"{who}: {how}")
    lines = []
    for fx in ctx.exchange_rates:
        line = text(
            lang,
            "rate_line",
            from_=fx.from_,
            to=fx.to,
            year=fx.year,
            rate=number(fx.rate, lang),
            source=fx.source,
        )
        if fx.estimate:
            line += f"; {text(lang, 'estimate')}"
        converted = tuple(used.get((fx.from_, fx.to, fx.year), ()))
        line += f"; {text(lang, 'converted')}:" if converted else f"; {text(lang, 'unused')}"
        lines.append(RateLine(line, converted))
    return lines


@dataclass(frozen=True)
class HowToRead:
    """The closing section: what each status means (with its threshold), then prose."""

    heading: str
    status_intro: str
    statuses: tuple[tuple[str, str, str], ...]  # (status, name, meaning with threshold)
    paragraphs: tuple[str, ...]


def how_to_read(ctx: ReportContext) -> HowToRead:
    lang, th = ctx.lang, ctx.thresholds
    values = {
        "a": number(th.on_track, lang),
        "b": number(th.needs_acceleration, lang),
        "c": number(th.limited_progress, lang),
    }
    statuses = []
    for s in STATUSES:
        meaning = STATUS_MEANINGS[lang][s]
        if f"thr_{s}" in _THRESHOLD_KEYS:
            meaning += f" ({text(lang, f'thr_{s}', **values)})"
        statuses.append((s, status_name(lang, s), meaning))
    return HowToRead(
        heading=text(lang, "how_to_read"),
        status_intro=text(lang, "read_status"),
        statuses=tuple(statuses),
        paragraphs=tuple(
            text(lang, k) for k in ("read_rates", "read_needed", "read_charts", "read_method")
        ),
    )


_THRESHOLD_KEYS = {
    "thr_on_track",
    "thr_needs_acceleration",
    "thr_limited_progress",
    "thr_deteriorating",
}
