"""What the human reports (Markdown, HTML) say, as plain unescaped text.

markdown.py and html.py only lay this out and escape it, so the two always agree:

    rows = records(gaps)
    headline(rows, lang)            # [("achieved", "achieved", 3), ("at_risk", "at risk", 2), ...]
    for year, group in by_deadline_year(rows):
        for row in group:
            cells(row, lang)        # Cells(goal=..., target="≥ 5,000 USD/person/year", ...)
    change_lines(ctx)               # None on a first run
    stale_lines(rows, lang), failed_run_lines(ctx), rate_lines(rows, ctx), conversion_lines(rows)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..frames import STATUSES
from . import compare
from .context import ReportContext
from .i18n import (
    COMPARATOR_SYMBOLS,
    QUALIFIER_SYMBOLS,
    is_percent_unit,
    iso_date,
    iso_moment,
    maybe_number,
    note_text,
    number,
    rate,
    status_name,
    text,
    with_unit,
)

Row = dict[str, Any]
DASH = "—"

# Headline groups: (key, i18n key, statuses counted). Off track includes missed goals.
GROUPS = (
    ("achieved", "g_achieved", ("achieved",)),
    ("on_track", "g_on_track", ("on_track",)),
    ("at_risk", "g_at_risk", ("needs_acceleration", "limited_progress")),
    ("off_track", "g_off_track", ("deteriorating", "missed")),
    ("insufficient", "g_insufficient", ("insufficient_data",)),
    ("no_data", "g_no_data", ("no_data",)),
)
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


def headline(rows: list[Row], lang: str) -> list[tuple[str, str, int]]:
    """(group key, label, count) for every group, zeros included: absence is news too."""
    counts = {s: 0 for s in STATUSES}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return [
        (key, text(lang, label), sum(counts.get(s, 0) for s in statuses))
        for key, label, statuses in GROUPS
    ]


def by_deadline_year(rows: list[Row]) -> list[tuple[int | None, list[Row]]]:
    """Rows grouped by deadline year, earliest first; frame order kept within a year."""
    groups: dict[int | None, list[Row]] = {}
    for row in rows:
        year = row["deadline"].year if row["deadline"] is not None else None
        groups.setdefault(year, []).append(row)
    return sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))


def year_heading(year: int | None, lang: str) -> str:
    return text(lang, "due", year=year) if year is not None else text(lang, "due_unknown")


def goal_label(row: Row, lang: str) -> str:
    """The indicator's name in `lang` (else the other language, else its key) and target id."""
    names = (row["name_vi"], row["name_en"]) if lang == "vi" else (row["name_en"], row["name_vi"])
    name = next((n for n in names if n), row["indicator"])
    return f"{name} ({row['target']})"


def _is_milestone(row: Row) -> bool:
    return row["kind"] == "milestone" or row["comparator"] == "done"


def _amount(value: float, row: Row, lang: str) -> str:
    """A value in the target's unit, short: "59.3%" for percent, the bare number otherwise."""
    shown = number(value, lang)
    return shown + "%" if is_percent_unit(row["unit"]) else shown


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
        return with_unit(span, row["unit"])
    symbol = COMPARATOR_SYMBOLS.get(row["comparator"] or "", "")
    return f"{symbol} {with_unit(number(value, lang), row['unit'])}".strip()


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
        shown += f" ({iso_date(row['latest_date'])})"
    return shown


def gap_text(row: Row, lang: str) -> str:
    # A milestone's gap is 0 or 1: the status already says "done or not", more clearly.
    if row["gap"] is None or _is_milestone(row):
        return DASH
    shown = _difference(row["gap"], row, lang)
    if row["stretch_gap"] is not None and row["stretch_gap"] > 0:
        shown += f" ({text(lang, 'stretch_gap')}: {_difference(row['stretch_gap'], row, lang)})"
    return shown


def needed_text(row: Row, lang: str) -> str:
    # Once a goal is met the "pace needed" is at most a licence to slip: not worth a cell.
    if row["needed_rate"] is None or row["status"] == "achieved":
        return DASH
    return rate(row["needed_rate"], row["trend"], row["unit"], lang)


def cells(row: Row, lang: str) -> Cells:
    return Cells(
        goal=goal_label(row, lang),
        target=target_text(row, lang),
        latest=latest_text(row, lang),
        gap=gap_text(row, lang),
        needed=needed_text(row, lang),
        status_text=status_name(lang, row["status"]),
        # A converted reading says how, in the row itself: the rate is part of the finding.
        note="; ".join(t for t in (note_text(row["note"] or "", lang), row["conversion"]) if t),
        status=row["status"],
        flag=compare.fragile_words(row, lang),
    )


def notices(ctx: ReportContext) -> list[str]:
    """Sentences that must be read before the tables: catch-up run, historical rebuild."""
    out = []
    if ctx.catch_up:
        out.append(text(ctx.lang, "catch_up"))
    if ctx.known_at is not None:
        out.append(text(ctx.lang, "known_at", at=iso_moment(ctx.known_at)))
    out.extend(ctx.notices)
    return out


def changes_heading(ctx: ReportContext) -> str:
    if ctx.previous_run_at is None:
        return text(ctx.lang, "changes")
    return text(ctx.lang, "changes_since", at=iso_moment(ctx.previous_run_at))


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
        else:
            before, after = maybe_number(change.before, lang), maybe_number(change.after, lang)
        line = text(lang, f"ch_{change.kind}", before=before, after=after)
        subject = change.target or change.indicator
        if subject:
            line = f"{subject}: {line}"
        if change.detail:
            line += f" ({change.detail})"
        lines.append(line)
    return lines


def failed_run_lines(ctx: ReportContext) -> list[str]:
    lines = []
    for run in ctx.failed_runs:
        line = iso_moment(run.started_at)
        if run.scheduled_for is not None:
            line += f" ({text(ctx.lang, 'failed_slot', slot=iso_moment(run.scheduled_for))})"
        lines.append(f"{line}: {run.error}")
    return lines


def stale_lines(rows: list[Row], lang: str) -> list[str]:
    return [
        f"{goal_label(r, lang)}: "
        + text(lang, "stale_item", date=iso_date(r["latest_date"]) if r["latest_date"] else DASH)
        for r in rows
        if r["stale"]
    ]


def conversion_lines(rows: list[Row]) -> list[tuple[str, list[str]]]:
    """Each distinct conversion text of the latest readings, with the targets it served."""
    used: dict[str, list[str]] = {}
    for row in rows:
        if row["conversion"]:
            used.setdefault(row["conversion"], []).append(row["target"])
    return list(used.items())


def rate_lines(rows: list[Row], ctx: ReportContext) -> list[str]:
    """Each declared exchange rate, its source, whether it is an estimate, and its users.

    Which conversion used which rate is read off the conversion text: a text that names
    both currencies and the rate's year. Text is all the gaps frame carries about it.
    """
    lang = ctx.lang
    conversions = conversion_lines(rows)
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
        users = [
            target
            for conversion, targets in conversions
            if all(s.lower() in conversion.lower() for s in (fx.from_, fx.to, str(fx.year)))
            for target in targets
        ]
        line += (
            f"; {text(lang, 'used_by')}: {', '.join(users)}"
            if users
            else (f"; {text(lang, 'unused')}")
        )
        lines.append(line)
    return lines
