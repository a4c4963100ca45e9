"""gap-report.html: one self-contained page (inline CSS and SVG, no script, no URL).

Built from reusable pieces, so the web page (`tracker serve`) shows the same content in
the same words without copying any of it:

    render_html(gaps, readings, ctx)     # the whole standalone document (str)
    render_body(gaps, readings, ctx)     # the report as an HTML fragment: <div class="gap-report">
    goal_table(rows, readings, ctx)      # one deadline's table, each goal row with its chart
    goal_rows(row, readings, ctx)        # one goal: <tbody> with its row and its chart
    chart_figure(row, readings, ctx)     # one goal's titled chart (<figure>), "" without one
    points_by_indicator(readings, region)  # the charts' points, computed once per page
    STYLESHEET                           # the CSS the fragments need (screen and A4 print)
    write_html(gaps, readings, ctx, path)

`rows` are `rows.records(gaps)`. It must open offline from a USB stick years from now,
so nothing is fetched: no fonts, styles or scripts from elsewhere. Every piece of data
passes through html.escape. Printed (A4), each goal's row stays with its chart, table
headers repeat on every page and nothing is cut.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from . import compare, content, svg
from .context import ReportContext
from .i18n import text
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

_CSS = """
.gap-report { font-family: system-ui, sans-serif; color: #24292f; line-height: 1.45; }
.gap-report h1 { margin-bottom: .2rem; } .gap-report .meta { color: #57606a; margin-top: 0; }
.gap-report .notice { border-left: 4px solid #d4a72c; background: #fff8c5; padding: .5rem 1rem; }
.gap-report table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem;
                    font-size: .92rem; }
.gap-report th, .gap-report td { border: 1px solid #d0d7de; padding: .35rem .5rem;
                                 text-align: left; vertical-align: top; }
.gap-report th { background: #f6f8fa; }
.gap-report td.num { min-width: 6rem; }
.gap-report td.note { min-width: 14rem; overflow-wrap: anywhere; }
.gap-report tr.chart td { border-top: none; padding: .2rem .5rem 1rem; }
.gap-report .status { border-radius: 1rem; padding: .1rem .6rem; white-space: nowrap;
                      display: inline-block; }
.gap-report .chips span { margin-right: .4rem; display: inline-block; margin-bottom: .3rem; }
.gap-report .chips .zero { opacity: .55; }
.gap-report .flag { color: #9a6700; font-size: .85rem; margin-top: .25rem; }
.gap-report ul.legend { list-style: none; padding-left: 0; }
.gap-report ul.legend li { margin-bottom: .3rem; }
.gap-report figure { margin: 0; }
.gap-report figcaption { font-weight: 600; margin-bottom: .2rem; }
.gap-report figure svg { max-width: 100%; height: auto; }
.gap-report .key span { margin-right: 1rem; white-space: nowrap; }
.gap-report .key i { display: inline-block; width: 1.5rem; height: 0; vertical-align: middle;
                     border-top: 2px solid; margin-right: .3rem; }
.gap-report .key i.dot { width: .6rem; height: .6rem; border: none; border-radius: 50%; }
.gap-report .key i.square { width: .55rem; height: .55rem; border: 2px solid; }
.gap-report .key i.band { height: .7rem; border: none; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { margin: 0; max-width: none; }
  .gap-report { font-size: 10pt; }
  .gap-report table { font-size: 9pt; }
  .gap-report thead { display: table-header-group; }
  .gap-report tbody.goal, .gap-report figure, .gap-report tr { break-inside: avoid;
                                                               page-break-inside: avoid; }
  .gap-report h2, .gap-report h3 { break-after: avoid; page-break-after: avoid; }
  .gap-report figure svg { width: 100%; max-width: 165mm; }
  .gap-report .status, .gap-report .key i, .gap-report svg { print-color-adjust: exact;
                                                            -webkit-print-color-adjust: exact; }
}
"""


def _status_css() -> str:
    return "\n".join(
        f".gap-report .status-{s} {{ background: {bg}; color: {fg}; }}"
        for s, (bg, fg) in STATUS_COLOURS.items()
    )


STYLESHEET = _CSS + _status_css() + "\n"
_PAGE_CSS = "body { margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }\n"


def status_badge(status: str, label: str) -> str:
    # The class name comes from a fixed list; anything else gets no colour, not markup.
    css = f"status status-{status}" if status in STATUS_COLOURS else "status"
    return f'<span class="{css}">{escape(label)}</span>'


def _flag(flag: str) -> str:
    return f'<div class="flag">⚠ {escape(flag)}</div>' if flag else ""


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def points_by_indicator(readings: pd.DataFrame, region: str) -> dict[str, list[svg.Point]]:
    """Each indicator's convertible readings in the report's region, oldest first
    (one pass over the readings for all the charts of a report)."""
    needed = {"indicator", "area", "date", "value"}
    if readings.empty or not needed <= set(readings.columns):
        return {}
    mine = readings[
        (readings["area"] == region) & readings["value"].notna() & readings["date"].notna()
    ].sort_values("date", kind="stable")
    out: dict[str, list[svg.Point]] = {}
    for key, d, v in zip(mine["indicator"], mine["date"], mine["value"], strict=True):
        out.setdefault(key, []).append((d, float(v)))
    return out


def chart_figure(
    row: content.Row,
    readings: pd.DataFrame,
    ctx: ReportContext,
    points: dict[str, list[svg.Point]] | None = None,
) -> str:
    """One goal's chart, titled above, as a <figure>; "" for a milestone or no reading.

    `points`: `points_by_indicator(readings, ctx.region)`, when drawing many goals."""
    if row["kind"] == "milestone" or is_missing(row["indicator"]):
        return ""
    label = content.goal_label(row, ctx.lang)
    if points is None:
        points = points_by_indicator(readings, ctx.region)
    drawing = svg.chart(row, points.get(row["indicator"], []), ctx.lang, title=label)
    if not drawing:
        return ""
    return f"<figure><figcaption>{escape(label)}</figcaption>{drawing}</figure>"


def goal_rows(
    row: content.Row,
    readings: pd.DataFrame,
    ctx: ReportContext,
    points: dict[str, list[svg.Point]] | None = None,
) -> str:
    """One goal as a <tbody>: its table row, then its chart directly under it."""
    c = content.cells(row, ctx.lang)
    numeric = "".join(
        f'<td class="num">{escape(v)}</td>' for v in (c.target, c.latest, c.gap, c.needed)
    )
    out = (
        f'<tbody class="goal"><tr><td>{escape(c.goal)}</td>{numeric}'
        f"<td>{status_badge(c.status, c.status_text)}{_flag(c.flag)}</td>"
        f'<td class="note">{escape(c.note)}</td></tr>'
    )
    figure = chart_figure(row, readings, ctx, points)
    if figure:
        out += f'<tr class="chart"><td colspan="{len(content.COLUMNS)}">{figure}</td></tr>'
    return out + "</tbody>"


def goal_table(rows: list[content.Row], readings: pd.DataFrame, ctx: ReportContext) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in content.column_headers(ctx.lang))
    points = points_by_indicator(readings, ctx.region)
    body = "".join(goal_rows(row, readings, ctx, points) for row in rows)
    return f"<table><thead><tr>{head}</tr></thead>{body}</table>"


def chart_key(lang: str) -> str:
    keys = [
        ('class="dot" style="background: {c}"', "readings", "chart_readings"),
        ('class="square" style="border-color: {c}"', "base", "chart_base"),
        ('style="border-top-color: {c}"', "target", "chart_target"),
        ('class="band" style="background: {c}; opacity: .25"', "target", "chart_stretch"),
        ('style="border-top-color: {c}"', "required", "chart_required"),
        (
            'style="border-top-color: {c}; border-top-style: dashed"',
            "projection",
            "chart_projection",
        ),
    ]
    spans = "".join(
        f"<span><i {attrs.format(c=svg.COLOURS[colour])}></i>{escape(text(lang, label))}</span>"
        for attrs, colour, label in keys
    )
    return f'<p class="key">{spans}</p>'


def headline_chips(rows: list[content.Row], lang: str) -> str:
    """The headline counts: the table's status names, order and colours."""
    chips = "".join(
        f'<span class="{"zero" if n == 0 else ""}">{status_badge(s, f"{label}: {n}")}</span>'
        for s, label, n in content.headline(rows, lang)
    )
    return f'<p class="chips">{chips}</p>'


def how_to_read_section(ctx: ReportContext) -> str:
    h = content.how_to_read(ctx)
    statuses = "".join(
        f"<li>{status_badge(s, name)} {escape(meaning)}</li>" for s, name, meaning in h.statuses
    )
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in h.paragraphs)
    return (
        f'<h2 id="how-to-read">{escape(h.heading)}</h2><p>{escape(h.status_intro)}</p>'
        f'<ul class="legend">{statuses}</ul>{paragraphs}'
    )


def render_body(gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext) -> str:
    """The report as an HTML fragment (no <html>, <head> or <style>): see STYLESHEET."""
    lang = ctx.lang
    rows = records(gaps)
    out = [
        '<div class="gap-report">',
        f"<h1>{escape(content.title(ctx))}</h1>",
        f'<p class="meta">{escape(content.meta_line(ctx))}</p>',
    ]
    out += [f'<p class="notice">{escape(n)}</p>' for n in content.notices(ctx)]
    out.append(
        f"<h2>{escape(text(lang, 'headline'))}</h2>"
        f"<p>{escape(text(lang, 'n_targets', n=len(rows)))}</p>{headline_chips(rows, lang)}"
        f"{chart_key(lang)}"
    )
    for year, group in content.by_deadline_year(rows):
        out.append(
            f"<h2>{escape(content.year_heading(year, lang))}</h2>{goal_table(group, readings, ctx)}"
        )

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
    out.append(conversions_section(rows, readings, ctx))
    out.append(how_to_read_section(ctx))
    out.append("</div>")
    return "\n".join(out)


def render_html(gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext) -> str:
    """The standalone document: render_body in a page with its STYLESHEET inline."""
    return "\n".join(
        [
            f'<!DOCTYPE html>\n<html lang="{escape(ctx.lang)}">\n<head>\n<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(content.title(ctx))}</title>",
            f"<style>{_PAGE_CSS}{STYLESHEET}</style>\n</head>\n<body>",
            render_body(gaps, readings, ctx),
            "</body>\n</html>\n",
        ]
    )


def conversions_section(rows: list[content.Row], readings: pd.DataFrame, ctx: ReportContext) -> str:
    lang = ctx.lang
    out = f"<h2>{escape(text(lang, 'conversions'))}</h2>"
    rates = content.rate_lines(rows, readings, ctx)
    if not rates:
        return out + f"<p>{escape(text(lang, 'no_conversions'))}</p>"
    items = "".join(
        f"<li>{escape(r.text)}{_list(list(r.converted)) if r.converted else ''}</li>" for r in rates
    )
    return out + f"<ul>{items}</ul>"


def write_html(gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext, path: Path) -> None:
    path.write_text(render_html(gaps, readings, ctx), encoding="utf-8")
