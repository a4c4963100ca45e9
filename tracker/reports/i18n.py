"""Report wording, units, dates and numbers in English and Vietnamese.

    >>> text("vi", "col_status")
    'Trạng thái'
    >>> status_name("vi", "on_track")
    'Đúng tiến độ'
    >>> number(84.14, "vi"), number(84.14, "en")
    ('84,14', '84.14')
    >>> rate(0.052, "compound", "USD", "vi")
    '5,2%/năm'
    >>> unit_text("USD/person/year", "vi"), unit_text("households", "vi")
    ('USD/người/năm', 'hộ')
    >>> date_text(date(2026, 11, 30), "vi"), date_text(date(2026, 11, 30), "en")
    ('30/11/2026', '30 Nov 2026')

The human formats (Markdown, HTML, DOCX, the XLSX's labels) say everything through
this module, so a Vietnamese report is Vietnamese throughout: words, units, dates,
numbers, the assessment's notes (from their codes, notes.py) and conversions.
JSON and CSV are the machine contract and do not use it.
"""

from __future__ import annotations

import functools
import math
from datetime import date, datetime
from typing import Any

from ..errors import UnitError
from ..notes import Conversion, Note
from ..units import parse_unit

# Two decimals at most, thousands grouped: "3,365.97" / "3.365,97", "91" not "91.00".
_DECIMAL = "#,##0.##"
_PERCENT = "#,##0.0%"
# From a quadrillion on, a figure is shown as mantissa and exponent: "1.5E30".
_SCIENTIFIC_FROM = 1e15
_SCIENTIFIC = "0.###E0"

STATUS_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "achieved": "Achieved",
        "on_track": "On track",
        "needs_acceleration": "Needs acceleration",
        "limited_progress": "Limited progress",
        "deteriorating": "Deteriorating",
        "missed": "Missed (deadline passed)",
        "insufficient_data": "Insufficient data",
        "no_data": "No data",
    },
    "vi": {
        "achieved": "Đã đạt",
        "on_track": "Đúng tiến độ",
        "needs_acceleration": "Cần tăng tốc",
        "limited_progress": "Tiến bộ hạn chế",
        "deteriorating": "Đang xấu đi",
        "missed": "Không đạt (quá hạn)",
        "insufficient_data": "Chưa đủ dữ liệu",
        "no_data": "Chưa có số liệu",
    },
}

# What each status means, for the legend. No threshold numbers: they are configurable.
STATUS_MEANINGS: dict[str, dict[str, str]] = {
    "en": {
        "achieved": "the latest reading meets the target",
        "on_track": "at the pace observed so far, the target will be met by its deadline",
        "needs_acceleration": "progressing, but too slowly: the pace must increase",
        "limited_progress": "little progress compared with the pace required",
        "deteriorating": "moving away from the target",
        "missed": "the deadline has passed and the target was not met",
        "insufficient_data": "not met, and too few points to estimate a trend",
        "no_data": "no reading yet",
    },
    "vi": {
        "achieved": "số liệu mới nhất đã đạt chỉ tiêu",
        "on_track": "theo tốc độ hiện nay, chỉ tiêu sẽ đạt đúng hạn",
        "needs_acceleration": "có tiến bộ nhưng chậm: cần đẩy nhanh tốc độ",
        "limited_progress": "tiến bộ ít so với tốc độ cần thiết",
        "deteriorating": "đang đi xa khỏi chỉ tiêu",
        "missed": "đã quá hạn mà chưa đạt chỉ tiêu",
        "insufficient_data": "chưa đạt, và chưa đủ điểm số liệu để ước tính xu hướng",
        "no_data": "chưa có số liệu",
    },
}

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Gap report",
        "region": "Region",
        "as_of": "As of",
        "generated": "Generated",
        "headline": "Headline",
        "n_targets": "{n} goals",
        "due": "Goals due {year}",
        "due_unknown": "Goals without a deadline",
        "col_goal": "Goal",
        "col_target": "Target",
        "col_latest": "Latest",
        "col_gap": "Gap",
        "col_needed": "Needed rate",
        "col_status": "Status",
        "col_note": "Note",
        "per_year": "/yr",
        "pp": "pp",
        "done": "done",
        "not_done": "not done",
        "yes": "yes",
        "no": "no",
        "almost": "almost",
        "stretch_gap": "to stretch",
        "changes": "Changes since the last run",
        "changes_since": "Changes since the last run ({at})",
        "first_run": "First run: there is no earlier report to compare with.",
        "no_changes": "No changes.",
        "ch_status": "status {before} → {after}",
        "ch_gap": "gap {before} → {after}",
        "ch_new_reading": "new reading {after}",
        "ch_corrected_reading": "corrected reading {before} → {after}",
        "ch_retracted_reading": "retracted reading {before}",
        "reading_ref": "reading {id}: {value} of {date}",
        "reading_id": "reading {id}",
        "computed_share": "computed from its two counts of the same date",
        "failed_runs": "Failed runs since the last success",
        "failed_slot": "slot {slot}",
        "stale": "Stale readings",
        "no_stale": "None: every latest reading is within its reporting interval.",
        "stale_item": "latest reading dated {date}",
        "conversions": "Conversions used",
        "no_conversions": "No currency conversion was needed.",
        "rate_line": "1 {from_} = {rate} {to} ({year}); source: {source}",
        "estimate": "estimate: replace it with the official figure",
        "converted": "converted",
        "unused": "no reading in this report was converted with it",
        "reading_of": "{name}, reading of {date}",
        "base_point_of": "{name}, reading of {date} (base point)",
        "catch_up": "Catch-up run: the scheduled run for this slot was missed "
        "and has been made up now.",
        "known_at": "Rebuilt as known at {at}: readings recorded after that moment are ignored.",
        "how_to_read": "How to read this report",
        "statuses": "Statuses",
        "chart_readings": "readings",
        "chart_base": "base point",
        "chart_required": "required path",
        "chart_projection": "projection at the pace so far",
        "chart_target": "target",
        "chart_floor": "floor",
        "chart_stretch": "stretch",
        "chart_reading_title": "{date}: {value}",
        "chart_base_title": "base point, {date}: {value}",
        "chart_projection_title": "projected for {date}: {value}",
        "chart_aria": "{goal}: {status}. Latest {latest}; target {target}.",
        "chart_clipped": "the projection stops at {limit}, the most the indicator can reach",
        "thr_on_track": "R ≥ {a}",
        "thr_needs_acceleration": "{b} ≤ R < {a}",
        "thr_limited_progress": "{c} ≤ R < {b}",
        "thr_deteriorating": "R < {c}",
        "read_status": "Each goal gets the first status that applies, in the order below. "
        "R is the pace observed so far (from the base point to the latest reading) "
        "divided by the pace required (from the base point to the target by its "
        "deadline); the thresholds in use are shown with each status.",
        "read_rates": "Rates are per year. %/yr is compound growth: a goal growing 5%/yr "
        "grows by 5% of itself each year (money, counts). pp/yr is percentage points a "
        "year: for a percent goal the share itself must rise by that many points each "
        "year. Other goals with a linear trend show the change in their own unit a year "
        "(households/yr).",
        "read_needed": "Needed rate: the pace that would take the latest reading to the "
        "target by the deadline, from now. Gap: how far the latest reading is from "
        "meeting the target, in the target's unit (pp for percent goals); 0 when met.",
        "read_charts": "Charts: time runs left to right, with a tick at the end of each year "
        "labelled with that year, so a figure for a year sits on its own tick. Dots are "
        "readings, the open square the base point, the red line the target (a shaded band "
        "for a range), the green line the path required from the base point, and the "
        "dashed line the projection at the pace so far, cut where the indicator reaches "
        "its limit (100% for a share). The table keeps the unclipped projection.",
        "read_method": "Method: the progress measure of Statistics Canada as adopted by "
        "Open SDG, which builds on the Eurostat and UN Statistics Division assessments. "
        "The base point is the declared baseline, else the first reading; time is counted "
        "as days / 365.25. A range goal is met at its floor.",
    },
    "vi": {
        "title": "Báo cáo tiến độ so với mục tiêu",
        "region": "Địa bàn",
        "as_of": "Số liệu đến ngày",
        "generated": "Lập lúc",
        "headline": "Tóm tắt",
        "n_targets": "{n} mục tiêu",
        "due": "Mục tiêu đến năm {year}",
        "due_unknown": "Mục tiêu không có thời hạn",
        "col_goal": "Mục tiêu",
        "col_target": "Chỉ tiêu",
        "col_latest": "Số liệu mới nhất",
        "col_gap": "Khoảng cách",
        "col_needed": "Tốc độ cần đạt",
        "col_status": "Trạng thái",
        "col_note": "Ghi chú",
        "per_year": "/năm",
        "pp": "điểm %",
        "done": "hoàn thành",
        "not_done": "chưa hoàn thành",
        "yes": "có",
        "no": "chưa",
        "almost": "gần",
        "stretch_gap": "đến mức phấn đấu",
        "changes": "Thay đổi so với lần chạy trước",
        "changes_since": "Thay đổi so với lần chạy trước ({at})",
        "first_run": "Lần chạy đầu tiên: chưa có báo cáo trước để so sánh.",
        "no_changes": "Không có thay đổi.",
        "ch_status": "trạng thái {before} → {after}",
        "ch_gap": "khoảng cách {before} → {after}",
        "ch_new_reading": "số liệu mới {after}",
        "ch_corrected_reading": "sửa số liệu {before} → {after}",
        "ch_retracted_reading": "rút số liệu {before}",
        "reading_ref": "số liệu {id}: {value} ngày {date}",
        "reading_id": "số liệu {id}",
        "computed_share": "tính từ hai số liệu đếm cùng ngày",
        "failed_runs": "Các lần chạy lỗi kể từ lần thành công gần nhất",
        "failed_slot": "lịch {slot}",
        "stale": "Số liệu đã cũ",
        "no_stale": "Không có: mọi số liệu mới nhất đều còn trong kỳ báo cáo.",
        "stale_item": "số liệu mới nhất ngày {date}",
        "conversions": "Quy đổi đã dùng",
        "no_conversions": "Không cần quy đổi tiền tệ.",
        "rate_line": "1 {from_} = {rate} {to} (năm {year}); nguồn: {source}",
        "estimate": "ước tính: cần thay bằng số liệu chính thức",
        "converted": "đã quy đổi",
        "unused": "không có số liệu nào trong báo cáo này được quy đổi theo tỷ giá này",
        "reading_of": "{name}, số liệu ngày {date}",
        "base_point_of": "{name}, số liệu ngày {date} (điểm gốc)",
        "catch_up": "Lần chạy bù: lần chạy theo lịch của kỳ này đã bị lỡ và nay được chạy bù.",
        "known_at": "Dựng lại theo số liệu đã biết tại {at}: số liệu ghi nhận sau thời điểm "
        "đó không được tính.",
        "how_to_read": "Cách đọc báo cáo này",
        "statuses": "Trạng thái",
        "chart_readings": "số liệu",
        "chart_base": "điểm gốc",
        "chart_required": "lộ trình cần thiết",
        "chart_projection": "dự báo theo tốc độ hiện nay",
        "chart_target": "chỉ tiêu",
        "chart_floor": "mức sàn",
        "chart_stretch": "mức phấn đấu",
        "chart_reading_title": "{date}: {value}",
        "chart_base_title": "điểm gốc, {date}: {value}",
        "chart_projection_title": "dự báo cho {date}: {value}",
        "chart_aria": "{goal}: {status}. Mới nhất {latest}; chỉ tiêu {target}.",
        "chart_clipped": "đường dự báo dừng ở {limit}, mức cao nhất chỉ số có thể đạt",
        "thr_on_track": "R ≥ {a}",
        "thr_needs_acceleration": "{b} ≤ R < {a}",
        "thr_limited_progress": "{c} ≤ R < {b}",
        "thr_deteriorating": "R < {c}",
        "read_status": "Mỗi mục tiêu nhận trạng thái đầu tiên phù hợp theo thứ tự dưới đây. "
        "R là tốc độ đã đạt (từ điểm gốc đến số liệu mới nhất) chia cho tốc độ cần thiết "
        "(từ điểm gốc đến chỉ tiêu đúng hạn); ngưỡng đang dùng ghi cạnh từng trạng thái.",
        "read_rates": "Tốc độ tính theo năm. %/năm là tăng trưởng kép: mục tiêu tăng 5%/năm "
        "thì mỗi năm tăng thêm 5% so với chính nó (tiền, số lượng). điểm %/năm là số điểm "
        "phần trăm mỗi năm: với mục tiêu tính bằng tỷ lệ %, chính tỷ lệ đó phải tăng thêm "
        "chừng ấy điểm mỗi năm. Các mục tiêu khác có xu hướng tuyến tính ghi mức thay đổi "
        "theo đơn vị của mình mỗi năm (hộ/năm).",
        "read_needed": "Tốc độ cần đạt: tốc độ từ nay đưa số liệu mới nhất tới chỉ tiêu đúng "
        "hạn. Khoảng cách: số liệu mới nhất còn cách chỉ tiêu bao nhiêu, theo đơn vị của "
        "chỉ tiêu (điểm % với mục tiêu tỷ lệ); bằng 0 khi đã đạt.",
        "read_charts": "Biểu đồ: thời gian chạy từ trái sang phải, mỗi vạch đánh dấu ngày cuối "
        "năm và ghi số năm đó, nên số liệu của một năm nằm đúng trên vạch của năm ấy. Chấm "
        "tròn là số liệu, ô vuông rỗng là điểm gốc, đường đỏ là chỉ tiêu (dải tô màu nếu "
        "chỉ tiêu là một khoảng), đường xanh lá là lộ trình cần thiết từ điểm gốc, đường "
        "nét đứt là dự báo theo tốc độ hiện nay, dừng lại khi chỉ số chạm giới hạn (100% "
        "với một tỷ lệ). Bảng vẫn ghi giá trị dự báo chưa cắt.",
        "read_method": "Phương pháp: thước đo tiến độ của Cơ quan Thống kê Canada (Statistics "
        "Canada) được Open SDG áp dụng, dựa trên đánh giá của Eurostat và Cơ quan Thống kê "
        "Liên Hợp Quốc. Điểm gốc là số liệu gốc đã khai báo, nếu không có thì là số liệu "
        "đầu tiên; thời gian tính bằng số ngày / 365,25. Mục tiêu là một khoảng được coi "
        "là đạt khi chạm mức sàn.",
    },
}

COMPARATOR_SYMBOLS = {
    "at_least": "≥",
    "more_than": ">",
    "at_most": "≤",
    "less_than": "<",
    "equals": "=",
}
QUALIFIER_SYMBOLS = {"more_than": ">", "less_than": "<", "about": "≈"}


def text(lang: str, key: str, **values: object) -> str:
    """The sentence `key` in `lang`, with `{placeholders}` filled from `values`."""
    template = _TEXT[lang][key]
    return template.format(**values) if values else template


def status_name(lang: str, status: str) -> str:
    """The status as a reader sees it; an unknown key is shown as it is."""
    return STATUS_NAMES[lang].get(status, status)


def number(value: float, lang: str) -> str:
    """84.14 -> "84.14" (en) / "84,14" (vi); at most two decimals, thousands grouped.

    Any float renders, whatever a store holds: 1e30 -> "1E30" (written out it would be
    unreadable, and babel's two-decimal rounding of it overflows decimal's precision),
    infinities -> "∞" / "-∞", NaN -> "—"."""
    from babel.numbers import format_decimal, format_scientific  # (JSON/CSV runs: not needed)

    if not math.isfinite(value):
        return _not_finite(value)
    if abs(value) >= _SCIENTIFIC_FROM:
        return format_scientific(value, format=_SCIENTIFIC, locale=lang)
    return format_decimal(value, format=_DECIMAL, locale=lang)


def percent(fraction: float, lang: str) -> str:
    """0.052 -> "5.2%" (en) / "5,2%" (vi)."""
    from babel.numbers import format_percent, format_scientific

    if not math.isfinite(fraction * 100):
        return _not_finite(fraction) + "%"
    if abs(fraction) * 100 >= _SCIENTIFIC_FROM:
        return format_scientific(fraction * 100, format=_SCIENTIFIC, locale=lang) + "%"
    return format_percent(fraction, format=_PERCENT, locale=lang)


def _not_finite(value: float) -> str:
    return "—" if math.isnan(value) else ("∞" if value > 0 else "-∞")


# --- dates ------------------------------------------------------------------------------

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def date_text(value: date | datetime, lang: str) -> str:
    """30 Nov 2026 (en) / 30/11/2026 (vi); a datetime loses its time."""
    if lang == "vi":
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year:04d}"


def moment_text(value: datetime, lang: str) -> str:
    """09:29, 30 Nov 2026 (en) / 09:29 ngày 30/11/2026 (vi), in the moment's own zone."""
    clock = f"{value.hour:02d}:{value.minute:02d}"
    if lang == "vi":
        return f"{clock} ngày {date_text(value, lang)}"
    return f"{clock}, {date_text(value, lang)}"


def iso_date(value: date | datetime) -> str:
    """YYYY-MM-DD (for machine texts and file names; people see `date_text`)."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def iso_moment(value: datetime) -> str:
    """2025-07-01T06:00:00+07:00: seconds precision, offset kept when there is one."""
    return value.isoformat(timespec="seconds")


# --- units ------------------------------------------------------------------------------

_PERCENT_UNITS = {"percent", "%", "phần trăm", "pct", "per cent"}
# Count nouns (folded singular, as units.parse_unit folds them) in each language.
_NOUNS = {
    "commune": ("communes", "xã"),
    "xã": ("communes", "xã"),
    "household": ("households", "hộ"),
    "hộ": ("households", "hộ"),
    "district": ("districts", "huyện"),
    "huyện": ("districts", "huyện"),
    "work": ("works", "công trình"),
    "công trình": ("works", "công trình"),
    "project": ("projects", "dự án"),
    "dự án": ("projects", "dự án"),
    "person": ("people", "người"),
    "people": ("people", "người"),
    "người": ("people", "người"),
    "village": ("villages", "thôn"),
    "thôn": ("villages", "thôn"),
    "hamlet": ("hamlets", "bản"),
    "school": ("schools", "trường"),
    "trường": ("schools", "trường"),
    "province": ("provinces", "tỉnh"),
    "tỉnh": ("provinces", "tỉnh"),
    "enterprise": ("enterprises", "doanh nghiệp"),
    "doanh nghiệp": ("enterprises", "doanh nghiệp"),
    "cooperative": ("cooperatives", "hợp tác xã"),
    "hợp tác xã": ("cooperatives", "hợp tác xã"),
    "worker": ("workers", "lao động"),
    "lao động": ("workers", "lao động"),
    "model": ("models", "mô hình"),
    "product": ("products", "sản phẩm"),
    "sản phẩm": ("products", "sản phẩm"),
    "point": ("points", "điểm"),
    "điểm": ("points", "điểm"),
}
_SCALE_WORDS = {1e3: ("thousand", "nghìn"), 1e6: ("million", "triệu"), 1e9: ("billion", "tỷ")}
_TAIL = {"person": "người", "year": "năm", "month": "tháng", "household": "hộ"}


def is_percent_unit(unit: str | None) -> bool:
    return (unit or "").strip().lower() in _PERCENT_UNITS


@functools.lru_cache(maxsize=1024)  # a report repeats a handful of units thousands of times
def unit_text(unit: str | None, lang: str) -> str:
    """A unit as the report's reader says it: "USD/person/year" -> "USD/người/năm" (vi),
    "triệu đồng/người/năm" -> "million VND/person/year" (en), "households" -> "hộ" (vi),
    percent -> "%". A noun tracker does not know is shown as written."""
    if not unit:
        return ""
    if is_percent_unit(unit):
        return "%"
    try:
        parsed = parse_unit(unit)
    except UnitError:
        return unit
    vi = lang == "vi"
    if parsed.kind == "money":
        scale = _SCALE_WORDS.get(parsed.scale)
        currency = parsed.currency or ""
        if vi and currency == "VND" and scale:
            currency = "đồng"  # "triệu đồng", as officers write it
        head = f"{scale[1 if vi else 0]} {currency}" if scale else currency
        tail = "".join("/" + (_TAIL.get(p, p) if vi else p) for p in parsed.per.split("/") if p)
        return head + tail
    if parsed.kind == "milestone":
        return "có/chưa" if vi else "yes/no"
    if parsed.kind == "count" and parsed.noun in _NOUNS:
        return _NOUNS[parsed.noun][1 if vi else 0]
    return unit


def with_unit(formatted: str, unit: str | None, lang: str = "en") -> str:
    """Attach a unit for display: "59.3%" for percent, "91 xã" otherwise."""
    if not unit:
        return formatted
    shown = unit_text(unit, lang)
    return f"{formatted}%" if shown == "%" else f"{formatted} {shown}"


def rate(value: float, trend: str | None, unit: str | None, lang: str) -> str:
    """A per-year rate: %/yr for compound trends; pp/yr for a percent goal's linear rate
    (percentage points, not relative growth); unit/yr for other linear ones."""
    if trend == "compound" and not is_percent_unit(unit):
        return percent(value, lang) + text(lang, "per_year")
    shown = number(value, lang)
    if is_percent_unit(unit):
        return f"{shown} {text(lang, 'pp')}{text(lang, 'per_year')}"
    suffix = unit_text(unit, lang)
    return f"{shown} {suffix}{text(lang, 'per_year')}" if suffix else shown + text(lang, "per_year")


# --- the assessment's notes and conversions ---------------------------------------------

_NOTES: dict[str, dict[str, str]] = {
    "en": {
        "qualified_latest.more_than": "the latest reading is a bound: more than {value}",
        "qualified_latest.less_than": "the latest reading is a bound: less than {value}",
        "qualified_latest.almost": "the latest reading is a bound: almost {value}",
        "qualified_latest.about": "the latest reading is approximate: about {value}",
        "reading_not_assessed": "the reading of {date} was not assessed: {why}",
        "why.no_rate": "no exchange rate is declared for {year} to convert {unit}",
        "why.unit": "its unit ({unit}) cannot be converted to the goal's ({goal_unit})",
        "why.unknown_indicator": "its indicator is no longer in the targets file",
        "why.none": "it has no value",
        "compound_fallback": "compound growth cannot be computed with zero or negative values; "
        "a linear trend was used",
        "base_on_target": "the base point already sits on the target (required rate 0)",
        "milestone_not_reached": "milestone not yet reached",
        "fewer_than_two_points": "fewer than two points: no trend yet",
        "latest_not_after_base": "the latest reading is not after the base point: no trend",
        "trend_not_computed": "the trend could not be computed",
        "no_base_reading": "no reading on or after the baseline date {date}",
        "method_no_rule": "method {method} has no rule for a goal without a number; "
        "judged by statcan",
        "conversion": "{raw} = {value} at {rate} {to}/{from_} ({year}{estimate})",
        "conversion_estimate": ", estimate",
    },
    "vi": {
        "qualified_latest.more_than": "số liệu mới nhất là giới hạn dưới: hơn {value}",
        "qualified_latest.less_than": "số liệu mới nhất là giới hạn trên: dưới {value}",
        "qualified_latest.almost": "số liệu mới nhất là giới hạn trên: gần {value}",
        "qualified_latest.about": "số liệu mới nhất là số xấp xỉ: khoảng {value}",
        "reading_not_assessed": "số liệu ngày {date} không được đánh giá: {why}",
        "why.no_rate": "chưa khai báo tỷ giá năm {year} để quy đổi {unit}",
        "why.unit": "đơn vị của số liệu ({unit}) không quy đổi được sang đơn vị của mục tiêu "
        "({goal_unit})",
        "why.unknown_indicator": "chỉ số của số liệu không còn trong tệp mục tiêu",
        "why.none": "số liệu không có giá trị",
        "compound_fallback": "không tính được tăng trưởng kép với giá trị bằng 0 hoặc âm; "
        "đã dùng xu hướng tuyến tính",
        "base_on_target": "điểm gốc đã bằng chỉ tiêu (tốc độ yêu cầu bằng 0)",
        "milestone_not_reached": "mốc chưa đạt",
        "fewer_than_two_points": "chưa đủ hai điểm số liệu: chưa tính được xu hướng",
        "latest_not_after_base": "số liệu mới nhất không sau điểm gốc: chưa có xu hướng",
        "trend_not_computed": "không tính được xu hướng",
        "no_base_reading": "không có số liệu từ ngày gốc {date}",
        "method_no_rule": "phương pháp {method} không có quy tắc cho mục tiêu không có con số; "
        "đánh giá theo statcan",
        "conversion": "{raw} = {value} theo tỷ giá {rate} {to}/{from_} (năm {year}{estimate})",
        "conversion_estimate": ", ước tính",
    },
}


def note_text(note: Note, row: dict[str, Any], lang: str) -> str:
    """One of the assessment's notes (notes.Note) in `lang`, numbers in its style.

    `row` is the gaps row the note belongs to (for its unit)."""
    words = _NOTES[lang]
    if note.code == "qualified_latest":
        value = with_unit(number(note.get("value"), lang), row.get("unit"), lang)
        key = f"qualified_latest.{note.get('qualifier')}"
        return words[key].format(value=value) if key in words else value
    if note.code == "reading_not_assessed":
        code = note.get("error_code") or "none"
        when = note.get("date")
        why = words.get(f"why.{code}", words["why.none"]).format(
            year=when.year,
            unit=unit_text(note.get("unit"), lang) or "",
            goal_unit=unit_text(row.get("unit"), lang) or "",
        )
        return words["reading_not_assessed"].format(date=date_text(when, lang), why=why)
    if note.code == "no_base_reading":
        return words[note.code].format(date=date_text(note.get("date"), lang))
    if note.code == "method_no_rule":
        return words[note.code].format(method=note.get("method"))
    return words[note.code]


def conversion_text(c: Conversion, lang: str) -> str:
    """ "92,5 triệu đồng/người/năm = 3.627,45 USD/người/năm theo tỷ giá 25.500 VND/USD
    (năm 2025, ước tính)": one reading's conversion in `lang`, from its columns."""
    words = _NOTES[lang]
    return words["conversion"].format(
        raw=with_unit(number(c.raw_value, lang), c.raw_unit, lang),
        value=with_unit(number(c.value, lang), c.unit, lang),
        rate=number(c.rate, lang),
        to=c.rate_to,
        from_=c.rate_from,
        year=c.rate_year,
        estimate=words["conversion_estimate"] if c.estimate else "",
    )


def maybe_number(raw: str | None, lang: str) -> str:
    """Reformat a number written as text ("1250.0") for `lang`; other text is kept."""
    if raw is None:
        return "—"
    try:
        value = float(raw)
    except ValueError:
        return raw
    return number(value, lang) if math.isfinite(value) else raw
