"""gap-report.docx: the report as a Word document, in the report's language.

    write_docx(gaps, readings, ctx, path)

Officers edit the report in Word before it goes up to the People's Committee, so this
is a plain, editable document (python-docx): the title and run details, the headline
counts, one table per deadline (goal, target, latest, gap, needed rate, status, note;
the status cell shaded in its colour), the changes, stale readings, the conversions
used and "how to read this report". A4, landscape, so the seven columns stay legible.
It says exactly what the HTML says (content.py); charts stay in the HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from . import content
from .context import ReportContext
from .html import STATUS_COLOURS
from .i18n import text
from .rows import records


def _shade(cell: Any, status: str) -> None:
    """Fill a table cell with the status colour (python-docx has no API for shading)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import RGBColor

    if status not in STATUS_COLOURS:
        return
    bg, fg = STATUS_COLOURS[status]
    cell._tc.get_or_add_tcPr().append(
        parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{bg[1:]}"/>')
    )
    for paragraph in cell.paragraphs:
        for run in paragraph.runs:
            run.font.color.rgb = RGBColor.from_string(fg[1:].upper())
            run.font.bold = True


class _Styles:
    """The document's styles, looked up by name once: python-docx searches the style
    part on every lookup by name (about 10 ms each), an object is used as it is."""

    def __init__(self, document: Any) -> None:
        styles = document.styles
        self.document = document
        self.title = styles["Title"]
        self.headings = {1: styles["Heading 1"]}
        self.bullet_styles = {0: styles["List Bullet"], 1: styles["List Bullet 2"]}
        self.table = styles["Table Grid"]

    def paragraph(self, value: str, style: Any) -> None:
        # The style id set on the paragraph's XML directly: python-docx's `style=` setter
        # checks the style against the default styles each time (about 4 ms a paragraph).
        self.document.add_paragraph(_clean(value))._p.get_or_add_pPr().style = style.style_id

    def heading(self, value: str, level: int = 1) -> None:
        self.paragraph(value, self.title if level == 0 else self.headings[level])

    def bullets(self, items: list[str], level: int = 0) -> None:
        for item in items:
            self.paragraph(item, self.bullet_styles[level])


def _clean(value: str) -> str:
    # XML 1.0 cannot hold most control characters: drop them rather than fail the report.
    return "".join(ch for ch in value if ch in "\t\n" or ord(ch) >= 32)


def render_docx(gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext) -> Any:
    """The report as a python-docx Document (not yet saved)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    lang = ctx.lang
    rows = records(gaps)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    document.styles["Normal"].font.size = Pt(10)
    document.core_properties.title = _clean(content.title(ctx))
    document.core_properties.language = lang
    styles = _Styles(document)

    styles.heading(content.title(ctx), level=0)
    document.add_paragraph(_clean(content.meta_line(ctx)))
    for notice in content.notices(ctx):
        document.add_paragraph(_clean(notice)).runs[0].font.bold = True

    styles.heading(text(lang, "headline"))
    counts = " · ".join(f"{label}: {n}" for _, label, n in content.headline(rows, lang))
    document.add_paragraph(f"{text(lang, 'n_targets', n=len(rows))}: {counts}")

    headers = content.column_headers(lang)
    for year, group in content.by_deadline_year(rows):
        styles.heading(content.year_heading(year, lang))
        table = document.add_table(rows=1, cols=len(headers))
        table.style = styles.table
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell.text = header
            cell.paragraphs[0].runs[0].font.bold = True
        _repeat_header(table.rows[0])
        for row in group:
            c = content.cells(row, lang)
            cells = table.add_row().cells
            for cell, value in zip(cells, c.as_list(), strict=True):
                cell.text = _clean(value)
                for run in cell.paragraphs[0].runs:
                    run.font.size = Pt(9)
            _shade(cells[content.COLUMNS.index("status")], c.status)

    styles.heading(content.changes_heading(ctx))
    changes = content.change_lines(ctx)
    if changes is None:
        document.add_paragraph(text(lang, "first_run"))
    elif changes:
        styles.bullets(changes)
    else:
        document.add_paragraph(text(lang, "no_changes"))

    failed = content.failed_run_lines(ctx)
    if failed:
        styles.heading(text(lang, "failed_runs"))
        styles.bullets(failed)

    styles.heading(text(lang, "stale"))
    stale = content.stale_lines(rows, lang)
    if stale:
        styles.bullets(stale)
    else:
        document.add_paragraph(text(lang, "no_stale"))

    styles.heading(text(lang, "conversions"))
    rates = content.rate_lines(rows, readings, ctx)
    if not rates:
        document.add_paragraph(text(lang, "no_conversions"))
    for rate_line in rates:
        styles.bullets([rate_line.text])
        styles.bullets(list(rate_line.converted), level=1)

    how = content.how_to_read(ctx)
    styles.heading(how.heading)
    document.add_paragraph(how.status_intro)
    styles.bullets([f"{name}: {meaning}" for _, name, meaning in how.statuses])
    for paragraph in how.paragraphs:
        document.add_paragraph(paragraph)
    return document


def _repeat_header(row: Any) -> None:
    """Mark a table's first row as a header row: Word repeats it on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def write_docx(gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext, path: Path) -> None:
    render_docx(gaps, readings, ctx).save(str(path))
