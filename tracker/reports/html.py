"""gap-report.html: one self-contained page (inline CSS and SVG, no script, no URL).

    page = render_html(gaps, readings, ctx)      # str
    write_html(gaps, readings, ctx, path)

Same sections as the Markdown report, plus a status colour legend and, per year, a
chart for each numeric target that has readings (svg.chart). It must open offline
from a USB stick years from now, so nothing is fetched: no fonts, styles or scripts
from elsewhere. Every piece of data passes through html.escape.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from . import compare, content, svg
from .context import ReportContext
from .i18n import STATUS_MEANINGS, STATUS_NAMES, iso_date, iso_moment, text
from .rows import is_missing, records

# (background, text) per status: green for good, amber/orange at risk, red off track.
STATUS_COLOURS = {
    "achieved": ("#1a7f37", "#ffffff"),
    "on_track": ("#4ac26b", "#0b2e13"),
    "needs_acceleration": ("#d4a72c", "#2b1d00"),
    "limited_progress": ("#e16f24", "#ffffff"),
    "deteriorating": ("#cf222e", "#ffffff"),
    "missed": ("#82071e", "#ffffff"),
    "insufficient_data": ("#8c959f", "#ffffff"),
    "no_data": ("#d0d7de", "#24292f"),
}
_GROUP_STATUS = {
    "achieved": "achieved",
    "on_track": "on_track",
    "at_risk": "needs_acceleration",
    "off_track": "deteriorating",
    "insufficient": "insufficient_data",
    "no_data": "no_data",
}

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #24292f; line-height: 1.45; }
h1 { margin-bottom: .2rem; } .meta { color: #57606a; margin-top: 0; }
.notice { border-left: 4px solid #d4a72c; background: #fff8c5; padding: .5rem 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; font-size: .92rem; }
th, td { border: 1px solid #d0d7de; padding: .35rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
td.num { min-width: 6rem; }
td:last-child { min-width: 14rem; overflow-wrap: anywhere; }
.status { border-radius: 1rem; padding: .1rem .6rem; white-space: nowrap;
          display: inline-block; }
.chips span { margin-right: .6rem; }
.flag { color: #9a6700; font-size: .85rem; margin-top: .25rem; }
ul.legend { list-style: none; padding-left: 0; }
figure { margin: 1rem 0 2rem; } figcaption { font-weight: 600; }
figure svg { max-width: 100%; height: auto; }
.key span { margin-right: 1rem; white-space: nowrap; }
.key i { display: inline-block; width: 1.5rem; height: 0; vertical-align: middle;
         border-top: 2px solid; margin-right: .3rem; }
"""


def _status_css() -> str:
    return "\n".join(
        f".status-{s} {{ background: {bg}; color: {fg}; }}"
        for s, (bg, fg) in STATUS_COLOURS.items()
    )


def _badge(status: str, label: str) -> str:
    # The class name comes from a fixed list; anything else gets no colour, not markup.
    css = f"status status-{status}" if status in STATUS_COLOURS else "status"
    return f'<span class="{css}">{escape(label)}</span>'


def _flag(flag: str) -> str:
    return f'<div class="flag">⚠ {escape(flag)}</div>' if flag else ""


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def _table(rows: list[content.Row], lang: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in content.column_headers(lang))
    body = []
    for row in rows:
        c = content.cells(row, lang)
        numeric = "".join(
            f'<td class="num">{escape(v)}</td>' for v in (c.target, c.latest, c.gap, c.needed)
        )
        body.append(
            f"<tr><td>{escape(c.goal)}</td>{numeric}"
            f"<td>{_badge(c.status, c.status_text)}{_flag(c.flag)}</td>"
            f"<td>{escape(c.note)}</td></tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _points(readings: pd.DataFrame, indicator: str, region: str) -> list[svg.Point]:
    """The indicator's convertible readings in the report's region, oldest first."""
    needed = {"indicator", "area", "date", "value"}
    if readings.empty or not needed <= set(readings.columns):
        return []
    mine = readings[(readings["indicator"] == indicator) & (readings["area"] == region)]
    mine = mine[mine["value"].notna() & mine["date"].notna()].sort_values("date", kind="stable")
    return [(d, float(v)) for d, v in zip(mine["date"], mine["value"], strict=True)]


def _charts(rows: list[content.Row], readings: pd.DataFrame, ctx: ReportContext) -> str:
    figures = []
    for row in rows:
        if row["kind"] == "milestone" or is_missing(row["indicator"]):
            continue
        label = content.goal_label(row, ctx.lang)
        points = _points(readings, row["indicator"], ctx.region)
        drawing = svg.chart(row, points, ctx.lang, title=label)
        if drawing:
            figures.append(f"<figure>{drawing}<figcaption>{escape(label)}</figcaption></figure>")
    return "".join(figures)


def _chart_key(lang: str) -> str:
    keys = [
        ("readings", "chart_readings", "solid"),
        ("required", "chart_required", "solid"),
        ("projection", "chart_projection", "dashed"),
        ("target", "chart_target", "solid"),
    ]
    spans = "".join(
        f'<span><i style="border-top-color: {svg.COLOURS[k]}; border-top-style: {style}"></i>'
        f"{escape(text(lang, label))}</span>"
        for k, label, style in keys
    )
    return f'<p class="key">{spans}</p>'


def render_html(gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext) -> str:
    lang = ctx.lang
    rows = records(gaps)
    title = f"{text(lang, 'title')}: {ctx.program}"
    meta = (
        f"{text(lang, 'region')}: {ctx.region} · {text(lang, 'as_of')}: "
        f"{iso_date(ctx.as_of)} · {text(lang, 'generated')}: {iso_moment(ctx.generated_at)}"
    )
    out = [
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>\n<style>{_CSS}{_status_css()}\n</style>\n</head>\n<body>",
        f'<h1>{escape(title)}</h1>\n<p class="meta">{escape(meta)}</p>',
    ]
    out += [f'<p class="notice">{escape(n)}</p>' for n in content.notices(ctx)]

    chips = "".join(
        f"<span>{_badge(_GROUP_STATUS[key], f'{label}: {n}')}</span>"
        for key, label, n in content.headline(rows, lang)
    )
    out.append(
        f"<h2>{escape(text(lang, 'headline'))}</h2>"
        f"<p>{escape(text(lang, 'n_targets', n=len(rows)))}</p>"
        f'<p class="chips">{chips}</p>'
    )

    for year, group in content.by_deadline_year(rows):
        out.append(f"<h2>{escape(content.year_heading(year, lang))}</h2>{_table(group, lang)}")
        charts = _charts(group, readings, ctx)
        if charts:
            out.append(f"<h3>{escape(text(lang, 'charts'))}</h3>{_chart_key(lang)}{charts}")

    methods = compare.section(rows, ctx, content.goal_label)
    if methods is not None:
        out.append(f"<h2>{escape(methods.heading)}</h2><p>{escape(methods.intro)}</p>")
        out.append(_list(methods.lines) if methods.lines else "")

    out.append(f"<h2>{escape(content.changes_heading(ctx))}</h2>")
    changes = content.change_lines(ctx)
    if changes is None:
        out.append(f"<p>{escape(text(lang, 'first_run'))}</p>")
    else:
        out.append(_list(changes) if changes else f"<p>{escape(text(lang, 'no_changes'))}</p>")

    failed = content.failed_run_lines(ctx)
    if failed:
        out.append(f"<h2>{escape(text(lang, 'failed_runs'))}</h2>{_list(failed)}")

    stale = content.stale_lines(rows, lang)
    out.append(
        f"<h2>{escape(text(lang, 'stale'))}</h2>"
        + (_list(stale) if stale else f"<p>{escape(text(lang, 'no_stale'))}</p>")
    )

    out.append(_conversions(rows, ctx))

    legend = "".join(
        f"<li>{_badge(s, STATUS_NAMES[lang][s])} {escape(meaning)}</li>"
        for s, meaning in STATUS_MEANINGS[lang].items()
    )
    out.append(f'<h2>{escape(text(lang, "legend"))}</h2><ul class="legend">{legend}</ul>')
    out.append("</body>\n</html>\n")
    return "\n".join(out)


def _conversions(rows: list[content.Row], ctx: ReportContext) -> str:
    lang = ctx.lang
    out = f"<h2>{escape(text(lang, 'conversions'))}</h2>"
    rates = content.rate_lines(rows, ctx)
    conversions = content.conversion_lines(rows)
    if not rates and not conversions:
        return out + f"<p>{escape(text(lang, 'no_conversions'))}</p>"
    if rates:
        out += _list(rates)
    if conversions:
        out += f"<h3>{escape(text(lang, 'conversion_texts'))}</h3>"
        out += _list([f"{', '.join(targets)}: {conv}" for conv, targets in conversions])
    return out


def write_html(gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext, path: Path) -> None:
    path.write_text(render_html(gaps, readings, ctx), encoding="utf-8")
