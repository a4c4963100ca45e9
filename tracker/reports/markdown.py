"""gap-report.md: the report as GitHub-flavoured Markdown, meant to be read in git.

    md = render_markdown(gaps, ctx)            # str
    write_markdown(gaps, readings, ctx, path)  # the same, to a file

Sections: title and notices, headline counts, one table per deadline year, changes
since the last run, failed runs, stale readings, conversions used, status legend.
Numbers follow `ctx.lang` (84.14 / 84,14); dates are ISO.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from . import compare, content
from .context import ReportContext
from .i18n import STATUS_MEANINGS, iso_date, iso_moment, status_name, text
from .rows import records

# Characters that would end a table cell, start a link, emphasis, code or raw HTML.
_MD_SPECIAL = re.compile(r"([\\|`*\[\]<])")
# At the start of a list item these would open a quote, heading or nested list.
_MD_LINE_START = re.compile(r"^([>#+-])")


def escape(value: str) -> str:
    """Make text inert in Markdown, one line long: safe inside a table cell."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(value.split()))


def _table(headers: list[str], body: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(escape(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in body]
    return lines


def _bullets(items: list[str]) -> list[str]:
    return ["- " + _MD_LINE_START.sub(r"\\\1", escape(item)) for item in items]


def render_markdown(gaps: pd.DataFrame, ctx: ReportContext) -> str:
    lang = ctx.lang
    rows = records(gaps)
    out = [
        f"# {escape(text(lang, 'title'))}: {escape(ctx.program)}",
        "",
        f"{escape(text(lang, 'region'))}: {escape(ctx.region)} · "
        f"{escape(text(lang, 'as_of'))}: {iso_date(ctx.as_of)} · "
        f"{escape(text(lang, 'generated'))}: {iso_moment(ctx.generated_at)}",
        "",
    ]
    for notice in content.notices(ctx):
        out += [f"> **{escape(notice)}**", ""]

    counts = " · ".join(f"{label}: **{n}**" for _, label, n in content.headline(rows, lang))
    out += [
        f"## {escape(text(lang, 'headline'))}",
        "",
        f"{escape(text(lang, 'n_targets', n=len(rows)))}: {counts}",
        "",
    ]

    headers = content.column_headers(lang)
    for year, group in content.by_deadline_year(rows):
        out += [f"## {escape(content.year_heading(year, lang))}", ""]
        out += _table(headers, [content.cells(r, lang).as_list() for r in group])
        out.append("")

    methods = compare.section(rows, ctx, content.goal_label)
    if methods is not None:
        out += [f"## {escape(methods.heading)}", "", escape(methods.intro), ""]
        out += _bullets(methods.lines) + ([""] if methods.lines else [])

    out += [f"## {escape(content.changes_heading(ctx))}", ""]
    changes = content.change_lines(ctx)
    if changes is None:
        out.append(escape(text(lang, "first_run")))
    else:
        out += _bullets(changes) or [escape(text(lang, "no_changes"))]
    out.append("")

    failed = content.failed_run_lines(ctx)
    if failed:  # only when there is something to worry about
        out += [f"## {escape(text(lang, 'failed_runs'))}", "", *_bullets(failed), ""]

    out += [f"## {escape(text(lang, 'stale'))}", ""]
    out += _bullets(content.stale_lines(rows, lang)) or [escape(text(lang, "no_stale"))]
    out.append("")

    out += _conversions(rows, ctx)

    out += [f"## {escape(text(lang, 'legend'))}", ""]
    out += _bullets(
        [f"{status_name(lang, s)}: {meaning}" for s, meaning in STATUS_MEANINGS[lang].items()]
    )
    return "\n".join(out) + "\n"


def _conversions(rows: list[content.Row], ctx: ReportContext) -> list[str]:
    lang = ctx.lang
    out = [f"## {escape(text(lang, 'conversions'))}", ""]
    rates = content.rate_lines(rows, ctx)
    conversions = content.conversion_lines(rows)
    if not rates and not conversions:
        return out + [escape(text(lang, "no_conversions")), ""]
    out += _bullets(rates)
    if conversions:
        if rates:
            out.append("")
        out += [f"**{escape(text(lang, 'conversion_texts'))}**", ""]
        out += _bullets([f"{', '.join(targets)}: {conv}" for conv, targets in conversions])
    return out + [""]


def write_markdown(
    gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext, path: Path
) -> None:
    path.write_text(render_markdown(gaps, ctx), encoding="utf-8")
