"""Report wording and number formatting in English and Vietnamese.

    >>> text("vi", "col_status")
    'Trạng thái'
    >>> status_name("vi", "on_track")
    'Đúng tiến độ'
    >>> number(84.14, "vi"), number(84.14, "en")
    ('84,14', '84.14')
    >>> rate(0.052, "compound", "USD", "vi")
    '5,2%/năm'

Only the human formats (Markdown, HTML) use this module; JSON, CSV and XLSX are
machine formats and always use a dot decimal, whatever the language.
Dates are ISO (YYYY-MM-DD) in both languages: unambiguous for every reader.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from babel.numbers import format_decimal, format_percent, format_scientific

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
        "n_targets": "{n} targets",
        "g_achieved": "achieved",
        "g_on_track": "on track",
        "g_at_risk": "at risk",
        "g_off_track": "off track",
        "g_insufficient": "insufficient data",
        "g_no_data": "no data",
        "due": "Targets due {year}",
        "due_unknown": "Targets without a deadline",
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
        "stretch": "stretch",
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
        "failed_runs": "Failed runs since the last success",
        "failed_slot": "slot {slot}",
        "stale": "Stale readings",
        "no_stale": "None: every latest reading is within its reporting interval.",
        "stale_item": "latest reading dated {date}",
        "conversions": "Conversions used",
        "no_conversions": "No currency conversion was needed.",
        "rate_line": "1 {from_} = {rate} {to} ({year}); source: {source}",
        "estimate": "estimate: replace it with the official figure",
        "used_by": "used by",
        "unused": "not used in this report",
        "conversion_texts": "Readings converted",
        "catch_up": "Catch-up run: the scheduled run for this slot was missed "
        "and has been made up now.",
        "known_at": "Rebuilt as known at {at}: readings recorded after that moment are ignored.",
        "legend": "Status legend",
        "charts": "Charts",
        "chart_readings": "readings",
        "chart_required": "required path",
        "chart_projection": "projection",
        "chart_target": "target",
    },
    "vi": {
        "title": "Báo cáo tiến độ so với mục tiêu",
        "region": "Địa bàn",
        "as_of": "Số liệu đến ngày",
        "generated": "Lập lúc",
        "headline": "Tóm tắt",
        "n_targets": "{n} chỉ tiêu",
        "g_achieved": "đã đạt",
        "g_on_track": "đúng tiến độ",
        "g_at_risk": "có nguy cơ",
        "g_off_track": "chệch hướng",
        "g_insufficient": "chưa đủ dữ liệu",
        "g_no_data": "chưa có số liệu",
        "due": "Chỉ tiêu đến năm {year}",
        "due_unknown": "Chỉ tiêu không có thời hạn",
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
        "stretch": "mức phấn đấu",
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
        "failed_runs": "Các lần chạy lỗi kể từ lần thành công gần nhất",
        "failed_slot": "lịch {slot}",
        "stale": "Số liệu đã cũ",
        "no_stale": "Không có: mọi số liệu mới nhất đều còn trong kỳ báo cáo.",
        "stale_item": "số liệu mới nhất ngày {date}",
        "conversions": "Quy đổi đã dùng",
        "no_conversions": "Không cần quy đổi tiền tệ.",
        "rate_line": "1 {from_} = {rate} {to} (năm {year}); nguồn: {source}",
        "estimate": "ước tính: cần thay bằng số liệu chính thức",
        "used_by": "dùng cho",
        "unused": "không dùng trong báo cáo này",
        "conversion_texts": "Số liệu đã quy đổi",
        "catch_up": "Lần chạy bù: lần chạy theo lịch của kỳ này đã bị lỡ và nay được chạy bù.",
        "known_at": "Dựng lại theo số liệu đã biết tại {at}: số liệu ghi nhận sau thời điểm "
        "đó không được tính.",
        "legend": "Chú giải trạng thái",
        "charts": "Biểu đồ",
        "chart_readings": "số liệu",
        "chart_required": "lộ trình cần thiết",
        "chart_projection": "dự báo",
        "chart_target": "chỉ tiêu",
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
_PERCENT_UNITS = {"percent", "%", "phần trăm"}


# The phrases assess.py writes into a row's note (English in JSON/CSV, the machine
# contract), and how the Vietnamese report says them. Longest first: some contain others.
_NOTE_PHRASES_VI = [
    (
        "compound trend impossible with zero or negative values; used linear",
        "không tính được tăng trưởng kép với giá trị bằng 0 hoặc âm; đã dùng xu hướng tuyến tính",
    ),
    (
        "latest reading is not after the base point: no trend",
        "số liệu mới nhất không sau điểm gốc: chưa có xu hướng",
    ),
    ("fewer than two points: no trend yet", "chưa đủ hai điểm số liệu: chưa tính được xu hướng"),
    (
        "base already on the target (required rate 0)",
        "điểm gốc đã bằng mục tiêu (tốc độ yêu cầu 0)",
    ),
    ("milestone not yet reached", "mốc chưa đạt"),
    ("no reading on or after the baseline date", "không có số liệu từ ngày gốc"),
    (
        "has no rule for a goal without a number; judged by statcan",
        "không có quy tắc cho mục tiêu không có con số; đánh giá theo statcan",
    ),
    ("method linear ", "phương pháp linear "),
    ("trend could not be computed", "không tính được xu hướng"),
    ("latest reading is a bound: more than", "số liệu mới nhất là giới hạn dưới: hơn"),
    ("latest reading is a bound: less than", "số liệu mới nhất là giới hạn trên: dưới"),
    ("latest reading is a bound: almost", "số liệu mới nhất là giới hạn trên: gần"),
    ("latest reading is approximate: about", "số liệu mới nhất là xấp xỉ: khoảng"),
    ("reading of ", "số liệu ngày "),
    (" not assessed: ", " không được đánh giá: "),
]


def note_text(note: str, lang: str) -> str:
    """A row's note in the report's language (numbers and unit names stay as written)."""
    if lang != "vi":
        return note
    for en, vi in _NOTE_PHRASES_VI:
        note = note.replace(en, vi)
    return note


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
    if not math.isfinite(value):
        return _not_finite(value)
    if abs(value) >= _SCIENTIFIC_FROM:
        return format_scientific(value, format=_SCIENTIFIC, locale=lang)
    return format_decimal(value, format=_DECIMAL, locale=lang)


def percent(fraction: float, lang: str) -> str:
    """0.052 -> "5.2%" (en) / "5,2%" (vi)."""
    if not math.isfinite(fraction * 100):
        return _not_finite(fraction) + "%"
    if abs(fraction) * 100 >= _SCIENTIFIC_FROM:
        return format_scientific(fraction * 100, format=_SCIENTIFIC, locale=lang) + "%"
    return format_percent(fraction, format=_PERCENT, locale=lang)


def _not_finite(value: float) -> str:
    return "—" if math.isnan(value) else ("∞" if value > 0 else "-∞")


def is_percent_unit(unit: str | None) -> bool:
    return (unit or "").strip().lower() in _PERCENT_UNITS


def with_unit(formatted: str, unit: str | None) -> str:
    """Attach a unit for display: "59.3%" for percent, "91 communes" otherwise."""
    if not unit:
        return formatted
    return f"{formatted}%" if is_percent_unit(unit) else f"{formatted} {unit}"


def rate(value: float, trend: str | None, unit: str | None, lang: str) -> str:
    """A per-year rate: a percentage for compound trends, target units for linear ones.

    A linear rate of a percent indicator is in percentage points, and says so:
    "2.5 pp/yr" is not "2.5%/yr".
    """
    if trend == "compound":
        return percent(value, lang) + text(lang, "per_year")
    shown = number(value, lang)
    if is_percent_unit(unit):
        shown += " " + text(lang, "pp")
    return shown + text(lang, "per_year")


def iso_date(value: date | datetime) -> str:
    """YYYY-MM-DD, whatever the language (a datetime loses its time)."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def iso_moment(value: datetime) -> str:
    """2025-07-01T06:00:00+07:00: seconds precision, offset kept when there is one."""
    return value.isoformat(timespec="seconds")


def maybe_number(raw: str | None, lang: str) -> str:
    """Reformat a number written as text ("1250.0") for `lang`; other text is kept."""
    if raw is None:
        return "—"
    try:
        value = float(raw)
    except ValueError:
        return raw
    return number(value, lang) if math.isfinite(value) else raw
