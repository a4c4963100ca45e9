"""gap-report.xlsx: the report as a spreadsheet for people, in the report's language.

    write_xlsx(gaps, readings, ctx, path)

Three sheets (named in the report's language: gaps / readings / about, or
mục tiêu / số liệu / thông tin):

- the goals: one row per goal with translated headers and status names, numbers as
  numbers with a number format that carries the unit ("3,365.60 USD/person/year"),
  dates as dates, the status cell coloured as in the HTML, a frozen header row and
  column widths that fit;
- the readings behind it (value in the goal's unit and as recorded, with conversions);
- about: as of, known at, generated at, thresholds, method and conversions used.

The machine contract stays in gap-report.csv / .json; this file is for reading and
editing. Text that a spreadsheet would run as a formula is neutralised (tabular.neutralise).
"""

from __future__ import annotations

import functools
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from . import content
from .context import ReportContext
from .html import STATUS_COLOURS
from .i18n import date_text, is_percent_unit, status_name, text, unit_text
from .rows import is_missing, records
from .tabular import neutralise

_WORDS = {
    "en": {
        "sheet_gaps": "gaps",
        "sheet_readings": "readings",
        "sheet_about": "about",
        "goal": "Goal",
        "indicator": "Indicator key",
        "target_id": "Target id",
        "deadline": "Deadline",
        "comparator": "Comparator",
        "target": "Target",
        "stretch": "Stretch",
        "unit": "Unit",
        "baseline": "Base point",
        "baseline_date": "Base point date",
        "latest": "Latest",
        "latest_date": "Latest date",
        "gap": "Gap",
        "needed": "Needed rate",
        "ratio": "R (pace observed / required)",
        "projected": "Projected at the deadline (unclipped)",
        "status": "Status",
        "status_by_method": "Status by method",
        "stale": "Stale",
        "note": "Note",
        "source": "Source",
        "date": "Date",
        "area": "Area",
        "value": "Value (goal's unit)",
        "raw_value": "Value as recorded",
        "raw_unit": "Unit as recorded",
        "qualifier": "Qualifier",
        "conversion": "Conversion",
        "recorded_at": "Recorded at (UTC)",
        "item": "Item",
        "detail": "Detail",
        "program": "Programme",
        "known_at": "Known at",
        "thresholds": "Thresholds",
        "method": "Method",
        "yes": "yes",
        "no": "no",
        "qualifiers": "more than|less than|about|almost",
    },
    "vi": {
        "sheet_gaps": "mục tiêu",
        "sheet_readings": "số liệu",
        "sheet_about": "thông tin",
        "goal": "Mục tiêu",
        "indicator": "Mã chỉ số",
        "target_id": "Mã mục tiêu",
        "deadline": "Thời hạn",
        "comparator": "So sánh",
        "target": "Chỉ tiêu",
        "stretch": "Mức phấn đấu",
        "unit": "Đơn vị",
        "baseline": "Điểm gốc",
        "baseline_date": "Ngày của điểm gốc",
        "latest": "Số liệu mới nhất",
        "latest_date": "Ngày của số liệu mới nhất",
        "gap": "Khoảng cách",
        "needed": "Tốc độ cần đạt",
        "ratio": "R (tốc độ đã đạt / tốc độ cần thiết)",
        "projected": "Dự báo đến hạn (chưa cắt)",
        "status": "Trạng thái",
        "status_by_method": "Trạng thái theo phương pháp",
        "stale": "Đã cũ",
        "note": "Ghi chú",
        "source": "Nguồn",
        "date": "Ngày",
        "area": "Địa bàn",
        "value": "Giá trị (đơn vị của mục tiêu)",
        "raw_value": "Giá trị như đã ghi",
        "raw_unit": "Đơn vị như đã ghi",
        "qualifier": "Định tính",
        "conversion": "Quy đổi",
        "recorded_at": "Thời điểm ghi nhận (UTC)",
        "item": "Mục",
        "detail": "Nội dung",
        "program": "Chương trình",
        "known_at": "Theo số liệu đã biết tại",
        "thresholds": "Ngưỡng",
        "method": "Phương pháp",
        "yes": "có",
        "no": "không",
        "qualifiers": "hơn|dưới|khoảng|gần",
    },
}
_DATE_FORMAT = {"en": "d mmm yyyy", "vi": "dd/mm/yyyy"}
_MOMENT_FORMAT = {"en": "d mmm yyyy hh:mm", "vi": "hh:mm dd/mm/yyyy"}
_MAX_WIDTH = 60


def words(lang: str, key: str) -> str:
    return _WORDS[lang][key]


def value_format(unit: str | None, lang: str, value: float | None = None) -> str:
    """An Excel number format that shows the unit: '#,##0.00" USD/person/year"', '0.00"%"'.

    Whole values get no decimals (91 communes); the unit is said in the report's language.
    """
    whole = value is not None and math.isfinite(value) and float(value).is_integer()
    return _value_format(unit, lang, whole)


@functools.lru_cache(maxsize=1024)
def _value_format(unit: str | None, lang: str, whole: bool) -> str:
    digits = "#,##0" if whole else "#,##0.00"
    shown = unit_text(unit, lang).replace('"', "")
    if not shown:
        return digits
    if shown == "%":
        return f'{digits}"%"'
    return f'{digits}" {shown}"'


def rate_format(row: content.Row, lang: str) -> str:
    """The needed rate's format, as content.needed_text says it (%/yr, pp/yr, unit/yr)."""
    per_year = text(lang, "per_year")
    if row["trend"] == "compound" and not is_percent_unit(row["unit"]):
        return f'0.0%"{per_year}"'
    if is_percent_unit(row["unit"]):
        return f'#,##0.00" {text(lang, "pp")}{per_year}"'
    shown = unit_text(row["unit"], lang).replace('"', "")
    return f'#,##0.00" {shown}{per_year}"' if shown else f'#,##0.00"{per_year}"'


def _cell_value(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if isinstance(value, str):
        # openpyxl refuses control characters; dropping them beats failing the report.
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _alignment(wrap: bool) -> Any:
    from openpyxl.styles import Alignment

    return Alignment(vertical="top", wrap_text=wrap)


class _Sheet:
    """Writes rows of (value, number format) cells and remembers how wide each column is."""

    def __init__(self, sheet: Any, headers: list[str]) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.sheet = sheet
        self.widths = [len(h) for h in headers]
        self.next_row = 2  # counted here: sheet.max_row scans every cell (quadratic)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="F6F8FA")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "B2"  # the header row and the first column stay in view
        self.wrap = _alignment(True)

    def add(self, cells: list[tuple[Any, str | None]], shown: list[str]) -> int:

        r, self.next_row = self.next_row, self.next_row + 1
        for c, ((value, number_format), display) in enumerate(zip(cells, shown, strict=True)):
            cell = self.sheet.cell(row=r, column=c + 1)
            cell.value = _cell_value(value)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
            if number_format:
                cell.number_format = number_format
            if len(display) > _MAX_WIDTH:  # only long text: a style per cell is costly
                cell.alignment = self.wrap
            self.widths[c] = max(self.widths[c], min(len(display), _MAX_WIDTH))
        return r

    def fit(self) -> None:
        from openpyxl.utils import get_column_letter

        for c, width in enumerate(self.widths, start=1):
            self.sheet.column_dimensions[get_column_letter(c)].width = width + 3


def _fill_status(cell: Any, status: str) -> None:
    from openpyxl.styles import Font, PatternFill

    if status in STATUS_COLOURS:
        bg, fg = STATUS_COLOURS[status]
        cell.fill = PatternFill("solid", fgColor=bg.lstrip("#").upper())
        cell.font = Font(color=fg.lstrip("#").upper(), bold=True)


_GAP_KEYS = [
    "goal", "indicator", "target_id", "deadline", "target", "stretch", "baseline",
    "baseline_date", "latest", "latest_date", "gap", "needed", "ratio", "projected",
    "status", "stale", "note", "source",
]  # fmt: skip


def _by_method(row: content.Row, lang: str) -> str | None:
    """A compare run's {method: status} as one cell: "statcan: On track; unsd: …"."""
    by_method = row.get("status_by_method")
    if not isinstance(by_method, dict):
        return None
    return "; ".join(f"{m}: {status_name(lang, s) if s else '—'}" for m, s in by_method.items())


def _gaps_sheet(sheet: Any, rows: list[content.Row], lang: str) -> None:
    compared = any(isinstance(r.get("status_by_method"), dict) for r in rows)
    keys = [*_GAP_KEYS[:15], "status_by_method", *_GAP_KEYS[15:]] if compared else _GAP_KEYS
    s = _Sheet(sheet, [words(lang, k) for k in keys])
    day = _DATE_FORMAT[lang]
    status_col = _GAP_KEYS.index("status") + 1
    for row in rows:
        c = content.cells(row, lang)
        milestone = row["kind"] == "milestone" or row["comparator"] == "done"

        def amount(
            value: Any, row: content.Row = row, milestone: bool = milestone
        ) -> tuple[Any, str | None]:
            if value is None or milestone:
                return None, None
            return value, value_format(row["unit"], lang, value)

        pace = content.needed_pace(row)
        pace = None if row["status"] == "achieved" else pace
        yes_no = words(lang, "yes") if row["stale"] else words(lang, "no")
        target = (c.target, None) if milestone else amount(row["target_value"])
        cells: list[tuple[Any, str | None]] = [
            (c.goal, None),
            (row["indicator"], None),
            (row["target"], None),
            (row["deadline"], day),
            target,
            amount(row["stretch_value"]),
            amount(row["baseline_value"]),
            (row["baseline_date"], day),
            (c.latest, None) if milestone else amount(row["latest_value"]),
            (row["latest_date"], day),
            _gap_cell(row, lang, milestone),
            (pace, rate_format(row, lang) if pace is not None else None),
            (row["ratio"], "0.00"),
            amount(row["projected_value"]),
            (c.status_text, None),
            *([(_by_method(row, lang), None)] if compared else []),
            (yes_no, None),
            (c.note, None),
            (
                row["latest_source"]
                if row["latest_reading_id"] is not None or row["latest_source"] is None
                else text(lang, "computed_share"),
                None,
            ),
        ]
        shown = [_shown(v, f, c, lang) for v, f in cells]
        r = s.add(cells, shown)
        _fill_status(sheet.cell(row=r, column=status_col), row["status"])
    s.fit()


def _gap_cell(row: content.Row, lang: str, milestone: bool) -> tuple[Any, str | None]:
    """The gap in the goal's unit; a percent goal's gap is percentage points, as in the HTML."""
    gap = row["gap"]
    if gap is None or milestone:
        return None, None
    if is_percent_unit(row["unit"]):
        digits = "#,##0" if float(gap).is_integer() else "#,##0.00"
        return gap, f'{digits}" {text(lang, "pp")}"'
    return gap, value_format(row["unit"], lang, gap)


def _shown(value: Any, number_format: str | None, c: content.Cells, lang: str) -> str:
    """Roughly what the cell shows, to size its column."""
    if value is None:
        return ""
    if isinstance(value, date | datetime | pd.Timestamp):
        return date_text(value, lang)
    if isinstance(value, float | int):
        suffix = number_format.split('"')[1] if number_format and '"' in number_format else ""
        return f"{value:,.2f}{suffix}"
    return str(value)


_READING_KEYS = [
    "goal", "indicator", "area", "date", "value", "raw_value", "raw_unit", "qualifier",
    "source", "note", "conversion", "recorded_at",
]  # fmt: skip


def _readings_sheet(
    sheet: Any, readings: pd.DataFrame, rows: list[content.Row], ctx: ReportContext
) -> None:
    from .i18n import conversion_text

    lang = ctx.lang
    s = _Sheet(sheet, [words(lang, k) for k in _READING_KEYS])
    names = {r["indicator"]: content.goal_name(r, lang) for r in rows}
    units = {r["indicator"]: r["unit"] for r in rows}
    qualifiers = dict(
        zip(
            ("more_than", "less_than", "about", "almost"),
            words(lang, "qualifiers").split("|"),
            strict=True,
        )
    )
    if readings.empty:
        s.fit()
        return
    for r in readings.to_dict("records"):
        r = {k: (None if is_missing(v) else v) for k, v in r.items()}
        indicator = r.get("indicator")
        unit = units.get(indicator)
        conversion = ""
        if r.get("rate") is not None and r.get("value") is not None:
            from ..notes import Conversion

            conversion = conversion_text(
                Conversion(
                    float(r["raw_value"]),
                    str(r["unit"]),
                    float(r["value"]),
                    unit or "",
                    float(r["rate"]),
                    str(r["rate_from"]),
                    str(r["rate_to"]),
                    int(r["rate_year"]),
                    bool(r["rate_estimate"]),
                ),
                lang,
            )
        value = r.get("value")
        cells: list[tuple[Any, str | None]] = [
            (names.get(indicator) or ctx.indicator_name(str(indicator)), None),
            (indicator, None),
            (r.get("area"), None),
            (r.get("date"), _DATE_FORMAT[lang]),
            (value, value_format(unit, lang, value) if value is not None and unit else None),
            (r.get("raw_value"), "#,##0.####"),
            (unit_text(r.get("unit"), lang) if r.get("unit") else None, None),
            (qualifiers.get(r.get("qualifier") or ""), None),
            # a share computed from two counts has a generated English source: say it here
            (
                r.get("source")
                if r.get("reading_id") is not None
                else text(lang, "computed_share"),
                None,
            ),
            (r.get("note"), None),
            (conversion or None, None),
            (r.get("recorded_at"), _MOMENT_FORMAT[lang]),
        ]
        shown = [
            date_text(v, lang) if isinstance(v, date | datetime | pd.Timestamp) else str(v or "")
            for v, _ in cells
        ]
        s.add(cells, shown)
    s.fit()


def _about_sheet(
    sheet: Any, rows: list[content.Row], readings: pd.DataFrame, ctx: ReportContext
) -> None:
    from openpyxl.styles import Alignment, Font

    lang = ctx.lang
    sheet.append([words(lang, "item"), words(lang, "detail")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    how = content.how_to_read(ctx)
    lines: list[tuple[str, Any, str | None]] = [
        (words(lang, "program"), ctx.program_name(), None),
        (text(lang, "region"), ctx.region_name(), None),
        (text(lang, "as_of"), ctx.as_of, _DATE_FORMAT[lang]),
    ]
    if ctx.known_at is not None:
        lines.append((words(lang, "known_at"), content.moment(ctx, ctx.known_at), None))
    lines.append((text(lang, "generated"), content.moment(ctx, ctx.generated_at), None))
    for _, name, meaning in how.statuses:
        lines.append((f"{words(lang, 'thresholds')}: {name}", meaning, None))
    lines.append((words(lang, "method"), how.status_intro, None))
    lines += [("", p, None) for p in how.paragraphs]
    for rl in content.rate_lines(rows, readings, ctx):
        lines.append((text(lang, "conversions"), rl.text, None))
        lines += [("", item, None) for item in rl.converted]
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, (item, detail, number_format) in enumerate(lines, start=2):
        sheet.append([_cell_value(item) or None, _cell_value(detail)])
        cell = sheet.cell(row=r, column=2)
        cell.alignment = wrap
        if number_format:
            cell.number_format = number_format
    sheet.column_dimensions["A"].width = max(len(str(i)) for i, _, _ in lines) + 3
    sheet.column_dimensions["B"].width = 100


def write_xlsx(gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext, path: Path) -> None:
    # Imported here: openpyxl is slow to import and only this format needs it.
    from openpyxl import Workbook

    lang = ctx.lang
    rows = records(gaps)
    book = Workbook()
    sheet = book.active
    sheet.title = words(lang, "sheet_gaps")
    _gaps_sheet(sheet, rows, lang)
    _readings_sheet(book.create_sheet(words(lang, "sheet_readings")), readings, rows, ctx)
    _about_sheet(book.create_sheet(words(lang, "sheet_about")), rows, readings, ctx)
    book.properties.title = f"{content.title(ctx)} · {date_text(ctx.as_of, lang)}"
    book.save(path)
