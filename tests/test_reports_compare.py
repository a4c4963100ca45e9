"""Reports of goals without a number and of the methods compared, in every format and
both languages, from a real assessment written for real."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
from test_assess import frame, ind, prog, r

from tracker.assess import assess
from tracker.reports import ReportContext, write_report

DEADLINE = date(2028, 1, 1)


def gaps(compare: bool):
    # income: statcan on_track, unsd on_track, linear needs_acceleration (test_methods);
    # water: a goal without a number, CAGR 0.01: needs_acceleration for statcan and unsd.
    program = prog(
        ind("income", ("income", DEADLINE, "at_least", 200.0)),
        ind("water", ("water@2030", date(2030, 12, 31), "improve", float("nan"))),
        compare=compare,
    )
    readings = frame(
        r("income", "2020-01-01", 100.0), r("income", "2024-01-01", 146.41),
        r("water", "2020-01-01", 200.0), r("water", "2024-01-01", 208.120802),
    )
    return assess(program, readings, date(2024, 6, 30)), readings


def write(tmp_path: Path, compare: bool, lang: str = "en") -> Path:
    g, readings = gaps(compare)
    ctx = ReportContext(program="P", region="Quang Ninh", as_of=date(2024, 6, 30),
                        generated_at=datetime(2024, 7, 1, tzinfo=UTC), lang=lang)
    out = tmp_path / f"{lang}-{compare}"
    write_report(g, readings, ctx, out)
    return out


def test_json_gains_status_by_method_and_fragile_only_when_comparing(tmp_path: Path):
    rows = {x["target"]: x for x in json.loads((write(tmp_path, True) / "gap-report.json")
                                                .read_text(encoding="utf-8"))["rows"]}
    assert rows["income"]["status_by_method"] == {
        "statcan": "on_track", "unsd": "on_track", "linear": "needs_acceleration"}
    assert rows["income"]["fragile"] is True
    assert rows["water@2030"]["status_by_method"]["linear"] is None
    assert rows["water@2030"]["fragile"] is False
    assert rows["water@2030"]["target_value"] is None
    plain = json.loads((write(tmp_path, False) / "gap-report.json").read_text(encoding="utf-8"))
    assert all("status_by_method" not in x and "fragile" not in x for x in plain["rows"])


def test_csv_and_xlsx_flatten_the_methods_into_one_cell(tmp_path: Path):
    out = write(tmp_path, True)
    with (out / "gap-report.csv").open(encoding="utf-8") as f:
        income = next(x for x in csv.DictReader(f) if x["target"] == "income")
    assert income["status_by_method"] == (
        "statcan=on_track; unsd=on_track; linear=needs_acceleration")
    assert income["fragile"] == "true"
    sheet = openpyxl.load_workbook(out / "gap-report.xlsx")["gaps"]
    header = [c.value for c in sheet[1]]
    cells = {
        row[header.index("target")]: row for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert cells["water@2030"][header.index("status_by_method")] == (
        "statcan=needs_acceleration; unsd=needs_acceleration; linear=")


def test_markdown_and_html_say_keep_improving_and_which_method_says_what(tmp_path: Path):
    md = (write(tmp_path, True) / "gap-report.md").read_text(encoding="utf-8")
    assert (
        "| Water (water@2030) | keep improving ↑ | 208.12 (2024-01-01) | — | — "
        "| Needs acceleration |"
    ) in md
    assert "| On track · methods disagree |" in md
    assert "## Methods compared" in md
    assert "1 of 2 goals are fragile" in md
    assert ("- Income (income): Statistics Canada / Open SDG: On track; UN Statistics Division "
            "(Progress Chart): On track; linear pace (SDSN): Needs acceleration") in md
    html = (write(tmp_path, True) / "gap-report.html").read_text(encoding="utf-8")
    assert "<h2>Methods compared</h2>" in html and "keep improving ↑" in html
    plain = (write(tmp_path, False) / "gap-report.md").read_text(encoding="utf-8")
    assert "Methods compared" not in plain and "methods disagree" not in plain
    assert "keep improving ↑" in plain


def test_vietnamese_words(tmp_path: Path):
    md = (write(tmp_path, True, "vi") / "gap-report.md").read_text(encoding="utf-8")
    assert "| tiếp tục cải thiện ↑ |" in md
    assert "Đúng tiến độ · các phương pháp đánh giá khác nhau" in md
    assert "## So sánh các phương pháp đánh giá" in md
    assert "tốc độ tuyến tính (SDSN): Cần tăng tốc" in md
