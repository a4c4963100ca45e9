"""Reports for people (issue 10): honest charts, note codes, whole Vietnamese, one
vocabulary, XLSX and DOCX for people, the conversions used. Real runs of the shipped
programme (plus a few readings that exercise every kind of note) through the real CLI,
and charts drawn from real assessments."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from tracker.assess import assess
from tracker.cli import app
from tracker.frames import READING_COLUMNS
from tracker.notes import Conversion, Note, english
from tracker.reports import ReportContext, content, i18n, svg, xlsx
from tracker.reports.html import STATUS_COLOURS, render_body, render_html
from tracker.reports.rows import records
from tracker.targets import load_program, parse_program

runner = CliRunner()
SVG = "{http://www.w3.org/2000/svg}"
ICT = timezone(timedelta(hours=7))

# Readings beside the shipped ones, so that every kind of note and conversion shows:
# a 2025 income in triệu đồng (the 2025 rate), a 2026 income with no 2026 rate declared
# (not assessed), an approximate share with a trend that overshoots 100%.
EXTRA = """indicator,date,value,unit,source,area,qualifier,note
rural_income,2025,92.5,triệu đồng/người/năm,test: 2025 estimate,,,
rural_income,2026-06,95,triệu đồng/người/năm,test: no 2026 rate declared,,,
digital_platform_share,2024,60,percent,test: 2024 survey,,,
digital_platform_share,2025-06,80,percent,test: 2025 survey,,about,
"""


def tracker(*args: str, db: str) -> object:
    return runner.invoke(app, ["--database", db, *args], catch_exceptions=False)


@pytest.fixture
def reports(workdir: Path, sqlite_url: str) -> dict[str, Path]:
    (workdir / "actuals" / "extra.csv").write_text(EXTRA, encoding="utf-8")
    out = {}
    for lang in ("en", "vi"):
        result = tracker(
            "run", "--as-of", "2026-11-29", "--lang", lang, "--out", lang, db=sqlite_url
        )
        assert result.exit_code == 0, result.output
        out[lang] = workdir / lang
    return out


# --- charts -----------------------------------------------------------------------------

YAML = """
program: Test
region: R
indicators:
  share:
    name: {en: Share, vi: Tỷ lệ}
    unit: percent
    targets: [{by: 2030, at_least: 100}]
  income:
    name: {en: Income, vi: Thu nhập}
    unit: USD/person/year
    targets: [{by: 2030, at_least: 8000, stretch: 10000}]
  met:
    name: {en: Met, vi: Đạt}
    unit: communes
    targets: [{by: 2030, at_least: 10}]
"""


def _readings(*rows: tuple[str, str, float]) -> pd.DataFrame:
    df = pd.DataFrame(
        [
            {
                "reading_id": i + 1,
                "indicator": k,
                "area": "R",
                "date": d,
                "value": v,
                "raw_value": v,
                "unit": "u",
                "source": "s",
            }
            for i, (k, d, v) in enumerate(rows)
        ],
        columns=READING_COLUMNS,
    )
    df["reading_id"] = df["reading_id"].astype("Int64")
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
    return df


def drawn(indicator: str, *rows: tuple[str, str, float], lang: str = "en") -> ET.Element:
    program = parse_program(YAML)
    readings = _readings(*rows)
    row = next(
        r
        for r in records(assess(program, readings, date(2026, 6, 30)))
        if r["indicator"] == indicator
    )
    points = [(d, v) for k, d, v in rows if k == indicator]
    return ET.fromstring(
        svg.chart(row, [(pd.Timestamp(d), v) for d, v in points], lang, title=indicator)
    )


def year_ticks(root: ET.Element) -> dict[str, float]:
    """Year label -> x of its tick (labels sit centred on their tick)."""
    return {
        t.text: float(t.get("x"))
        for t in root.iter(f"{SVG}text")
        if t.text and re.fullmatch(r"\d{4}", t.text)
    }


def test_a_reading_sits_on_its_year_end_tick_and_mid_year_in_proportion_to_the_day() -> None:
    root = drawn(
        "share",
        ("share", "2024-12-31", 40.0),
        ("share", "2025-06-30", 45.0),
        ("share", "2025-12-31", 52.0),
    )
    ticks = year_ticks(root)
    assert list(ticks) == [str(y) for y in range(2023, 2031)]  # year ends 2023..2030
    xs = sorted(float(c.get("cx")) for c in root.iter(f"{SVG}circle"))
    # A reading for 2024 (2024-12-31) and for 2025 (2025-12-31): on their own year's tick.
    assert xs[0] == pytest.approx(ticks["2024"], abs=0.01)
    assert xs[2] == pytest.approx(ticks["2025"], abs=0.01)
    # 2025-06-30 is day 181 of 365 after 2024-12-31: 181/365 of the way to the 2025 tick.
    assert xs[1] == pytest.approx(
        ticks["2024"] + (ticks["2025"] - ticks["2024"]) * 181 / 365, abs=0.01
    )
    # The deadline "by 2030" (2030-12-31) is the last tick, at the right end of the plot.
    assert ticks["2030"] == pytest.approx(svg.WIDTH - svg.RIGHT)


def test_value_axis_has_four_to_six_round_ticks_and_the_unit() -> None:
    root = drawn("income", ("income", "2023-12-31", 3000.0), ("income", "2025-12-31", 3627.45))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert 4 <= len(labels) <= 6
    values = [float(v.replace(",", "")) for v in labels]
    step = values[1] - values[0]
    assert all(v % step == 0 for v in values) and step in (1000, 2000, 2500, 5000)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "USD/person/year" in texts
    # a range goal: a band, its floor and stretch labelled with their values
    assert root.find(f"{SVG}rect[@class='target-band']") is not None
    assert "floor 8,000" in texts and "stretch 10,000" in texts


def test_projection_is_dashed_and_stops_at_100_percent_while_its_title_keeps_the_figure() -> None:
    root = drawn("share", ("share", "2024-12-31", 60.0), ("share", "2025-06-30", 80.0))
    group = root.find(f"{SVG}g[@class='projection']")
    line = group.find(f"{SVG}polyline")
    assert line.get("stroke-dasharray")
    ys = [float(p.split(",")[1]) for p in line.get("points").split()]
    top_tick = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"][-1]
    assert top_tick.text == "100"  # the axis stops at what a share can reach
    y100 = float(top_tick.get("y")) - 4
    assert min(ys) == pytest.approx(y100, abs=0.01)  # clipped exactly at 100%, not above
    title = group.find(f"{SVG}title").text
    # 60 -> 80 in half a year is ~78%/yr compound: far beyond 100% by 2030, said in words.
    projected = float(re.search(r"2030: ([\d,.]+)%", title).group(1).replace(",", ""))
    assert projected > 100
    assert "the projection stops at 100%" in title
    assert "target 100" in [t.text for t in root.iter(f"{SVG}text")]


def test_a_met_goal_draws_no_required_path_and_no_projection() -> None:
    root = drawn("met", ("met", "2023-12-31", 4.0), ("met", "2025-12-31", 12.0))
    strokes = [p.get("stroke") for p in root.iter(f"{SVG}polyline")]
    assert svg.COLOURS["required"] not in strokes
    assert root.find(f"{SVG}g[@class='projection']") is None


def test_chart_text_is_12px_or_more_and_says_the_status_and_each_point() -> None:
    root = drawn(
        "income", ("income", "2023-12-31", 3000.0), ("income", "2025-12-31", 3627.45), lang="vi"
    )
    assert all(int(t.get("font-size")) >= 12 for t in root.iter(f"{SVG}text"))
    assert root.get("role") == "img"
    assert (
        "Cần tăng tốc" in root.get("aria-label")
        or "Tiến bộ hạn chế" in root.get("aria-label")
        or "Đúng tiến độ" in root.get("aria-label")
    )
    tips = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]
    assert tips == ["31/12/2023: 3.000 USD/người/năm", "31/12/2025: 3.627,45 USD/người/năm"]
    base = root.find(f"{SVG}rect[@class='base']")
    assert base.find(f"{SVG}title").text == "điểm gốc, 31/12/2023: 3.000 USD/người/năm"


def test_html_puts_each_chart_directly_under_its_row_titled_above(reports: dict) -> None:
    page = (reports["en"] / "gap-report.html").read_text(encoding="utf-8")
    goal = re.search(
        r'<tbody class="goal"><tr><td>Average rural income per person '
        r"\(rural_income@2030\)</td>.*?</tbody>",
        page,
        re.S,
    ).group(0)
    assert '<tr class="chart">' in goal
    assert goal.index("<figcaption>") < goal.index("<svg")
    # print: rows keep their chart, headers repeat, A4
    assert "@page { size: A4" in page and "thead { display: table-header-group; }" in page
    assert "tbody.goal" in page and "break-inside: avoid" in page


# --- note codes, conversions ------------------------------------------------------------


def test_assessment_emits_note_codes_and_json_keeps_their_english_text(reports: dict) -> None:
    doc = json.loads((reports["vi"] / "gap-report.json").read_text(encoding="utf-8"))
    rows = {r["target"]: r for r in doc["rows"]}
    # The contract text, built by notes.english from the codes, in English whatever --lang.
    assert rows["rural_income@2030"]["note"] == (
        "reading of 2026-06-30 not assessed: no exchange rate VND->USD is declared for 2026; "
        "add one under exchange_rates in the targets file"
    )
    assert rows["digital_platform_share@2030"]["note"] == (
        "latest reading is approximate: about 80"
    )
    # 92.5e6 VND / 25,500 VND per USD = 3,627.45 USD (2025 rate, an estimate)
    assert rows["rural_income@2030"]["latest_value"] == pytest.approx(92.5e6 / 25500)
    assert "notes" not in rows["rural_income@2030"]  # codes stay out of the machine contract


def test_note_codes_render_in_each_language() -> None:
    row = {"unit": "percent"}
    note = Note("qualified_latest", (("qualifier", "more_than"), ("value", 5400.5)))
    assert english([note]) == "latest reading is a bound: more than 5400.5"
    assert i18n.note_text(note, row, "en") == "the latest reading is a bound: more than 5,400.5%"
    assert i18n.note_text(note, row, "vi") == "số liệu mới nhất là giới hạn dưới: hơn 5.400,5%"
    c = Conversion(
        92.5, "triệu đồng/người/năm", 3627.45, "USD/person/year", 25500, "USD", "VND", 2025, True
    )
    assert c.english() == (
        "92.5 triệu đồng/người/năm = 3,627.45 USD/person/year at 25,500 VND/USD (2025, estimate)"
    )
    assert i18n.conversion_text(c, "vi") == (
        "92,5 triệu đồng/người/năm = 3.627,45 USD/người/năm theo tỷ giá 25.500 VND/USD "
        "(năm 2025, ước tính)"
    )
    with pytest.raises(ValueError, match="unknown note code"):
        Note("an English sentence")


def test_every_rate_says_which_readings_it_converted_base_points_included(reports: dict) -> None:
    md = (reports["en"] / "gap-report.md").read_text(encoding="utf-8")
    # The 2024 reading is the income goals' base point: it says so under the 2024 rate.
    assert (
        "- 1 USD = 25,000 VND (2024); source: ESTIMATE: commercial bank rates in 2024 were "
        "around 25,000-26,000 VND/USD; replace with the official annual average; estimate: "
        "replace it with the official figure; converted:"
    ) in md
    assert (
        "  - Average rural income per person, reading of 31 Dec 2024 (base point): 84.14 "
        "million VND/person/year = 3,365.6 USD/person/year at 25,000 VND/USD "
        "(2024, estimate)"
    ) in md
    assert (
        "  - Average rural income per person, reading of 31 Dec 2025: 92.5 million "
        "VND/person/year = 3,627.45 USD/person/year at 25,500 VND/USD (2025, estimate)"
    ) in md
    assert (
        "(2020); source: IMF International Financial Statistics, official rate, annual "
        "average (World Bank PA.NUS.FCRF); no reading in this report was converted with it" in md
    )
    assert "not used in this report" not in md


# --- whole Vietnamese -------------------------------------------------------------------


def english_vocabulary() -> set[str]:
    """Every word the English report uses of its own: headings, statuses, meanings, notes,
    units, spreadsheet headers. Placeholders ({name}) are not words."""
    texts = [
        *i18n._TEXT["en"].values(),
        *i18n.STATUS_NAMES["en"].values(),
        *i18n.STATUS_MEANINGS["en"].values(),
        *i18n._NOTES["en"].values(),
        *xlsx._WORDS["en"].values(),
        *(en for en, _ in i18n._NOUNS.values()),
        *(en for en, _ in i18n._SCALE_WORDS.values()),
        *i18n._TAIL,
    ]
    words = set()
    for t in texts:
        words |= {w.lower() for w in re.findall(LETTERS, re.sub(r"\{\w+\}", " ", t))}
    return words - ALLOWED


LETTERS = r"[^\W\d_]{2,}"  # whole words, Vietnamese letters included ("toàn" is not "to")

# Words the Vietnamese report may share with the English one, each for a reason:
ALLOWED = {
    "usd",
    "vnd",  # currency codes
    "statistics",
    "canada",
    "open",
    "sdg",
    "eurostat",
    "un",  # the method's proper names
    "utc",  # the store's clock, named in a spreadsheet header
    "so",  # Vietnamese "so với" (compared with)
}


def vietnamese_leaks(report_text: str, own_words: list[str]) -> set[str]:
    """English vocabulary words found in `report_text`, once the programme's own words
    (sources written in one language, keys such as rural_income@2030) are taken out."""
    for own in sorted(own_words, key=len, reverse=True):
        report_text = report_text.replace(own, " ")
    report_text = re.sub(r"[\w.-]*[_@][\w@.-]*", " ", report_text)  # keys and target ids
    found = {w.lower() for w in re.findall(LETTERS, report_text)}
    return found & english_vocabulary()


def _texts(folder: Path) -> dict[str, str]:
    page = (folder / "gap-report.html").read_text(encoding="utf-8")
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    shown = " ".join(re.findall(r'aria-label="([^"]*)"', page)) + re.sub(r"<[^>]+>", " ", page)
    document = docx.Document(str(folder / "gap-report.docx"))
    word = [p.text for p in document.paragraphs]
    word += [c.text for t in document.tables for row in t.rows for c in row.cells]
    book = openpyxl.load_workbook(folder / "gap-report.xlsx")
    cells = [book.properties.title or "", *book.sheetnames]
    keys = {xlsx.words(lang, "indicator") for lang in ("en", "vi")}
    for sheet in book.worksheets:
        # the indicator-key column holds identifiers (targets.yaml keys), not words
        skip = {c.column for c in sheet[1] if c.value in keys}
        for row in sheet.iter_rows():
            cells += [
                str(c.value) for c in row if isinstance(c.value, str) and c.column not in skip
            ]
            cells += [c.number_format for c in row]  # units live in number formats
    return {
        "html": html.unescape(shown),
        "md": (folder / "gap-report.md").read_text(encoding="utf-8"),
        "docx": "\n".join(word),
        "xlsx": "\n".join(cells),
    }


def _own_words(workdir: Path) -> list[str]:
    program = load_program(workdir / "targets.yaml")
    sources = [fx.source for fx in program.exchange_rates]
    for f in (workdir / "actuals").glob("*.csv"):
        sources += list(pd.read_csv(f)["source"].dropna()) + list(pd.read_csv(f)["note"].dropna())
    return sources


def test_the_vietnamese_report_has_no_word_of_the_english_reports_vocabulary(
    reports: dict, workdir: Path
) -> None:
    own = _own_words(workdir)
    for fmt, body in _texts(reports["vi"]).items():
        assert vietnamese_leaks(body, own) == set(), fmt
    # The check can fail: the English report is full of its vocabulary.
    english = _texts(reports["en"])
    assert {"achieved", "goals", "households", "person", "year"} <= vietnamese_leaks(
        english["html"], own
    )


def test_vietnamese_report_says_names_units_dates_and_numbers_in_vietnamese(
    reports: dict,
) -> None:
    md = (reports["vi"] / "gap-report.md").read_text(encoding="utf-8")
    assert md.startswith("# Báo cáo tiến độ so với mục tiêu: Quảng Ninh — Xây dựng nông thôn mới")
    assert "Số liệu đến ngày: 29/11/2026" in md
    assert re.search(r"Lập lúc: \d\d:\d\d ngày \d\d/\d\d/\d{4}", md)
    assert "| > 5.000 USD/người/năm | 3.627,45 (31/12/2025) |" in md
    assert "≤ 0 hộ" in md
    assert (
        "số liệu ngày 30/06/2026 không được đánh giá: chưa khai báo tỷ giá năm 2026 để "
        "quy đổi triệu đồng/người/năm"
    ) in md
    assert "số liệu mới nhất là số xấp xỉ: khoảng 80%" in md
    en = (reports["en"] / "gap-report.md").read_text(encoding="utf-8")
    assert "As of: 29 Nov 2026" in en and "3,627.45 (31 Dec 2025)" in en


def test_programme_and_region_in_both_languages_or_one() -> None:
    both = parse_program(
        YAML.replace("program: Test", "program: {en: Test, vi: Thử}").replace(
            "region: R", "region: {en: R, vi: Vùng R}"
        )
    )
    assert (both.name, both.name_vi, both.region, both.region_vi) == ("Test", "Thử", "R", "Vùng R")
    assert both.display_name("vi") == "Thử" and both.display_region("en") == "R"
    plain = parse_program(YAML)
    assert plain.display_name("vi") == "Test" and plain.display_region("vi") == "R"


def test_programme_name_given_in_an_unknown_language_is_refused_with_its_place() -> None:
    from tracker.errors import TargetsFileError

    with pytest.raises(TargetsFileError, match=r"targets.yaml:2:\d+: .*unknown key \"fr\""):
        parse_program(YAML.replace("program: Test", "program: {en: Test, fr: Essai}"))


def test_dates_times_and_units_in_each_language() -> None:
    moment = datetime(2026, 11, 30, 9, 29, 17, tzinfo=ICT)
    assert i18n.moment_text(moment, "vi") == "09:29 ngày 30/11/2026"
    assert i18n.moment_text(moment, "en") == "09:29, 30 Nov 2026"
    assert i18n.date_text(date(2026, 11, 30), "en") == "30 Nov 2026"
    assert i18n.unit_text("communes", "vi") == "xã"
    assert i18n.unit_text("million VND/person/year", "vi") == "triệu đồng/người/năm"
    assert i18n.unit_text("triệu đồng/người/năm", "en") == "million VND/person/year"
    assert i18n.unit_text("hamlets of the north", "vi") == "hamlets of the north"  # unknown
    assert i18n.rate(2.5, "linear", "percent", "vi") == "2,5 điểm %/năm"


# --- one vocabulary, how to read --------------------------------------------------------


def test_headline_counts_use_the_tables_status_names_order_and_colours(reports: dict) -> None:
    page = (reports["en"] / "gap-report.html").read_text(encoding="utf-8")
    chips = re.search(r'<p class="chips">(.*?)</p>', page).group(1)
    shown = re.findall(r'class="status status-(\w+)">([^<:]+): (\d+)<', chips)
    assert [s for s, _, _ in shown] == list(i18n.STATUS_NAMES["en"])
    assert all(name == i18n.STATUS_NAMES["en"][s] for s, name, _ in shown)
    # the table's badges use the same names and classes (hence colours)
    table_badges = set(re.findall(r'<td><span class="status status-(\w+)">([^<]+)</span>', page))
    assert table_badges <= {(s, n) for s, n, _ in shown}
    assert "at risk" not in page and "off track" not in page


def test_how_to_read_explains_statuses_thresholds_rates_and_method() -> None:
    from tracker.model import Thresholds

    ctx = ReportContext(
        program="P",
        region="R",
        as_of=date(2026, 1, 1),
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        thresholds=Thresholds(0.9, 0.5, 0.0),
        lang="en",
    )
    how = content.how_to_read(ctx)
    meanings = {s: m for s, _, m in how.statuses}
    assert meanings["on_track"].endswith("(R ≥ 0.9)")
    assert meanings["needs_acceleration"].endswith("(0.5 ≤ R < 0.9)")
    assert meanings["deteriorating"].endswith("(R < 0)")
    prose = " ".join(how.paragraphs)
    assert "pp/yr is percentage points a year" in prose and "%/yr is compound growth" in prose
    assert "Statistics Canada" in prose
    vi = content.how_to_read(
        ReportContext(
            program="P",
            region="R",
            as_of=date(2026, 1, 1),
            generated_at=datetime(2026, 1, 1, tzinfo=UTC),
            lang="vi",
        )
    )
    assert "điểm %/năm" in " ".join(vi.paragraphs)


def test_a_percent_goal_shows_its_needed_pace_in_percentage_points(reports: dict) -> None:
    md = (reports["en"] / "gap-report.md").read_text(encoding="utf-8")
    line = next(x for x in md.splitlines() if "(digital_platform_share@2030)" in x)
    # (100 - 80) pp over 2025-06-30 -> 2030-12-31 (2,010 days = 5.503 years): 3.63 pp/yr
    assert "| 3.63 pp/yr |" in line


# --- XLSX and DOCX ----------------------------------------------------------------------


def test_xlsx_is_for_people_in_the_reports_language(reports: dict) -> None:
    book = openpyxl.load_workbook(reports["vi"] / "gap-report.xlsx")
    assert book.sheetnames == ["mục tiêu", "số liệu", "thông tin"]
    sheet = book["mục tiêu"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Mục tiêu", "Mã chỉ số", "Mã mục tiêu", "Thời hạn", "Chỉ tiêu"]
    assert sheet.freeze_panes == "B2"
    col = {h: i for i, h in enumerate(header)}
    rows = {r[col["Mã mục tiêu"]].value: r for r in sheet.iter_rows(min_row=2)}
    income = rows["rural_income@2030"]
    latest = income[col["Số liệu mới nhất"]]
    assert latest.value == pytest.approx(92.5e6 / 25500)  # a number, not text
    assert latest.number_format == '#,##0.00" USD/người/năm"'
    assert income[col["Thời hạn"]].number_format == "dd/mm/yyyy"
    assert rows["poor_households@2025"][col["Chỉ tiêu"]].number_format == '#,##0" hộ"'
    assert rows["digital_platform_share@2030"][col["Tốc độ cần đạt"]].number_format == (
        '#,##0.00" điểm %/năm"'
    )
    doc = json.loads((reports["vi"] / "gap-report.json").read_text(encoding="utf-8"))
    status_of = {r["target"]: r["status"] for r in doc["rows"]}
    assert (
        income[col["Trạng thái"]].value == i18n.STATUS_NAMES["vi"][status_of["rural_income@2030"]]
    )
    for r in rows.values():
        cell = r[col["Trạng thái"]]
        key = next(k for k, v in i18n.STATUS_NAMES["vi"].items() if v == cell.value)
        assert cell.fill.fgColor.rgb.endswith(STATUS_COLOURS[key][0][1:].upper())
    widths = {c: sheet.column_dimensions[c].width for c in "ABQ"}
    assert widths["A"] > 40 and widths["Q"] > 40  # goal names and notes fit (or wrap)
    readings = book["số liệu"]
    assert [c.value for c in readings[1]][:4] == ["Mục tiêu", "Mã chỉ số", "Địa bàn", "Ngày"]
    about = {r[0].value: r[1].value for r in book["thông tin"].iter_rows(min_row=2)}
    assert about["Chương trình"] == "Quảng Ninh — Xây dựng nông thôn mới"
    assert "Lập lúc" in about and "Số liệu đến ngày" in about
    assert about["Ngưỡng: Đúng tiến độ"].endswith("(R ≥ 0,95)")
    assert "Quy đổi đã dùng" in about


def test_docx_opens_with_python_docx_and_holds_every_goal(reports: dict) -> None:
    for lang in ("en", "vi"):
        document = docx.Document(str(reports[lang] / "gap-report.docx"))
        goals = {c.text for t in document.tables for row in t.rows[1:] for c in row.cells[:1]}
        doc = json.loads((reports[lang] / "gap-report.json").read_text(encoding="utf-8"))
        assert len(goals) == len(doc["rows"])
        assert all(any(f"({r['target']})" in g for g in goals) for r in doc["rows"])
        headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
        expected = "How to read this report" if lang == "en" else "Cách đọc báo cáo này"
        assert expected in headings
        assert (i18n.text(lang, "conversions")) in headings
    header = document.tables[0].rows[0]
    assert header._tr.trPr.xml.count("tblHeader") == 1  # repeated on every page in Word


def test_render_body_is_a_fragment_the_web_page_can_embed(reports: dict, workdir: Path) -> None:
    program = load_program(workdir / "targets.yaml")
    ctx = ReportContext(
        program=program.name,
        region=program.region,
        as_of=date(2026, 1, 1),
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        lang="vi",
        program_vi=program.name_vi,
    )
    gaps = assess(program, _readings(), date(2026, 1, 1))
    body = render_body(gaps, _readings(), ctx)
    assert body.startswith('<div class="gap-report">') and body.endswith("</div>")
    assert "<html" not in body and "<style" not in body
    assert body in render_html(gaps, _readings(), ctx)


def test_every_note_code_has_an_english_contract_text_and_both_report_languages() -> None:
    from tracker.notes import NOTE_CODES

    params = {
        "qualified_latest": (("qualifier", "about"), ("value", 3.5)),
        "reading_not_assessed": (("date", date(2023, 12, 31)), ("error", "why"),
                                 ("error_code", "unit"), ("unit", "households")),
        "no_base_reading": (("date", date(2015, 12, 31)),),
        "method_no_rule": (("method", "sdsn"),),
    }
    row = {"unit": "communes"}
    for code in NOTE_CODES:
        note = Note(code, params.get(code, ()))
        en, vi = i18n.note_text(note, row, "en"), i18n.note_text(note, row, "vi")
        assert english([note]) and en and vi and en != vi, code
        assert "{" not in en + vi, code  # every placeholder filled
    assert i18n.note_text(Note("reading_not_assessed", params["reading_not_assessed"]), row,
                          "vi") == ("số liệu ngày 31/12/2023 không được đánh giá: đơn vị của "
                                    "số liệu (hộ) không quy đổi được sang đơn vị của mục tiêu (xã)")
