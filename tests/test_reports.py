"""tracker.reports: every format written for real into tmp_path and read back."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker import reports
from tracker.frames import GAP_COLUMNS, GAP_CONTRACT_COLUMNS, READING_COLUMNS
from tracker.model import ExchangeRate
from tracker.reports import (
    FORMATS,
    Change,
    FailedRun,
    ReportContext,
    update_latest_pointer,
    write_report,
)
from tracker.reports.markdown import escape as md_escape
from tracker.reports.markdown import render_markdown
from tracker.reports.tabular import neutralise

ICT = timezone(timedelta(hours=7))
REGION = "Quảng Ninh"
NOTE_HTML = '<script>alert("x")</script> | see annex'

STRING_COLUMNS = [
    "indicator", "target", "unit", "status", "note", "name_en", "name_vi", "kind",
    "comparator", "direction", "trend", "latest_qualifier", "latest_source", "conversion",
]
DATE_COLUMNS = ["deadline", "baseline_date", "latest_date"]
INT_COLUMNS = ["latest_reading_id", "n_points"]


def _row(**values: object) -> dict[str, object]:
    row: dict[str, object] = {c: None for c in GAP_COLUMNS}
    row.update(stale=False, kind="number", direction="increase", trend="compound",
               comparator="at_least")
    row.update(values)
    return row


def gaps_frame() -> pd.DataFrame:
    """Six targets covering the shapes a report must render (see each comment)."""
    rows = [
        # compound, numeric, with a baseline and two readings: the 84.14 of the article
        _row(indicator="income", target="income_2025", deadline="2025-12-31",
             unit="million VND/person/year", target_value=100.0, baseline_value=60.0,
             baseline_date="2020-12-31", latest_value=84.14, latest_date="2024-12-31",
             gap=15.86, observed_rate=0.088, required_rate=0.1076, needed_rate=0.1884,
             ratio=0.82, projected_value=91.5, status="needs_acceleration",
             name_en="Average rural income", name_vi="Thu nhập bình quân nông thôn",
             comparator="more_than", latest_source="article", latest_reading_id=1,
             n_points=2),
        # range goal, converted from VND, a single point: insufficient data
        _row(indicator="income_usd", target="income_usd_2030", deadline="2030-12-31",
             unit="USD/person/year", target_value=8000.0, stretch_value=10000.0,
             latest_value=3365.97, latest_date="2024-12-31", gap=4634.03, stretch_gap=6634.03,
             status="insufficient_data", name_en="Average rural income (USD)",
             name_vi="Thu nhập bình quân (USD)", latest_reading_id=1, n_points=1,
             conversion="84.14 million VND at 25,000 VND per USD (VND→USD 2024)",
             note="one point: no trend yet"),
        # linear, lower is better, met; the note tries markup and a table pipe
        _row(indicator="poor_households", target="poor_2025", deadline="2025-12-31",
             unit="households", target_value=0.0, baseline_value=1200.0,
             baseline_date="2021-12-31", latest_value=0.0, latest_date="2023-12-31", gap=0.0,
             observed_rate=-600.0, required_rate=-300.0, ratio=2.0, projected_value=0.0,
             status="achieved", note=NOTE_HTML, name_en="Poor households",
             name_vi="Hộ nghèo", direction="decrease", trend="linear", comparator="at_most",
             latest_reading_id=3, n_points=2),
        # a milestone, done
        _row(indicator="districts_done", target="districts_2025", deadline="2025-06-30",
             unit="done", target_value=1.0, latest_value=1.0, latest_date="2025-06-30",
             gap=0.0, status="achieved", kind="milestone", comparator="done",
             name_en="All districts completed NTM", name_vi="Các huyện hoàn thành NTM",
             latest_reading_id=4, n_points=1),
        # no reading at all: NaN and NaT everywhere they can be
        _row(indicator="digital", target="digital_2030", deadline="2030-12-31",
             unit="percent", target_value=100.0, status="no_data",
             name_en="Communes on a digital platform", name_vi="Xã ứng dụng nền tảng số"),
        # linear percent, stale, a bound reading, and a note that is a formula
        _row(indicator="training", target="training_2030", deadline="2030-12-31",
             unit="percent", target_value=90.0, baseline_value=80.0,
             baseline_date="2021-12-31", latest_value=87.0, latest_date="2023-06-30",
             gap=3.0, observed_rate=4.0, required_rate=1.11, needed_rate=0.4, ratio=3.6,
             projected_value=116.0, status="on_track", stale=True, note="=SUM(1)",
             latest_qualifier="more_than", latest_source="@source", trend="linear",
             name_en="Trained rural workers", name_vi="Lao động qua đào tạo",
             latest_reading_id=5, n_points=2),
    ]
    frame = pd.DataFrame(rows, columns=GAP_COLUMNS)
    for c in STRING_COLUMNS:
        frame[c] = frame[c].astype("str").where(frame[c].notna())
    for c in DATE_COLUMNS:
        frame[c] = pd.to_datetime(frame[c])
    for c in INT_COLUMNS:
        frame[c] = frame[c].astype("Int64")
    frame["stale"] = frame["stale"].astype(bool)
    numeric = [c for c in GAP_COLUMNS
               if c not in STRING_COLUMNS + DATE_COLUMNS + INT_COLUMNS + ["stale"]]
    frame[numeric] = frame[numeric].astype("float64")
    return frame


def readings_frame() -> pd.DataFrame:
    rows = [
        (1, "income", REGION, "2022-12-31", 70.0),
        (2, "income", REGION, "2024-12-31", 84.14),
        (6, "income", "Hạ Long", "2024-12-31", 12345.67),  # another area: not charted
        (3, "poor_households", REGION, "2023-12-31", 0.0),
        (7, "poor_households", REGION, "2022-12-31", 400.0),
        (5, "training", REGION, "2023-06-30", 87.0),
    ]
    frame = pd.DataFrame(
        [dict(reading_id=i, indicator=ind, area=area, date=d, value=v, raw_value=v,
              unit="u", qualifier=None, source="article", note=None, conversion=None,
              error=None, recorded_at="2025-07-01 00:00:00")
         for i, ind, area, d, v in rows],
        columns=READING_COLUMNS,
    )
    frame["reading_id"] = frame["reading_id"].astype("Int64")
    frame["date"] = pd.to_datetime(frame["date"])
    frame["recorded_at"] = pd.to_datetime(frame["recorded_at"])
    return frame


def context(**overrides: object) -> ReportContext:
    values: dict[str, object] = dict(
        program="Quảng Ninh NTM", region=REGION, as_of=date(2025, 6, 30),
        generated_at=datetime(2025, 7, 1, 6, 0, tzinfo=ICT),
    )
    values.update(overrides)
    return ReportContext(**values)  # type: ignore[arg-type]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    out = tmp_path / "reports" / "2025-06-30"
    write_report(gaps_frame(), readings_frame(), context(), out)
    return out


# --- JSON -------------------------------------------------------------------------------


def test_json_rows_have_the_contract_keys_and_null_for_missing(written: Path) -> None:
    def no_nan(token: str) -> None:
        raise AssertionError(f"invalid JSON constant {token}")

    doc = json.loads((written / "gap-report.json").read_text(encoding="utf-8"),
                     parse_constant=no_nan)
    assert doc["as_of"] == "2025-06-30"
    assert doc["generated_at"] == "2025-07-01T06:00:00+07:00"
    assert doc["program"] == "Quảng Ninh NTM"
    assert len(doc["rows"]) == 6
    for row in doc["rows"]:
        assert list(row)[: len(GAP_CONTRACT_COLUMNS)] == GAP_CONTRACT_COLUMNS
        # status_by_method and fragile: only when the run compared methods
        assert set(row) == set(GAP_COLUMNS) - {"status_by_method", "fragile"}
    no_data = next(r for r in doc["rows"] if r["status"] == "no_data")
    assert no_data["latest_value"] is None
    assert no_data["latest_date"] is None
    assert no_data["ratio"] is None
    assert no_data["latest_reading_id"] is None
    assert no_data["deadline"] == "2030-12-31"
    income = doc["rows"][0]
    assert income["latest_value"] == 84.14
    assert income["baseline_date"] == "2020-12-31"
    assert income["n_points"] == 2 and income["stale"] is False


def test_json_keeps_unicode_and_carries_run_details(tmp_path: Path) -> None:
    ctx = context(
        known_at=datetime(2025, 7, 15, tzinfo=UTC), catch_up=True,
        previous_run_at=datetime(2025, 6, 1, 6, tzinfo=ICT),
        changes=(Change("status", "income_2025", "income", "on_track", "needs_acceleration"),),
        failed_runs=(FailedRun(datetime(2025, 6, 15, tzinfo=UTC), "database is locked"),),
    )
    write_report(gaps_frame(), readings_frame(), ctx, tmp_path / "r", formats=["json"])
    raw = (tmp_path / "r" / "gap-report.json").read_text(encoding="utf-8")
    assert "Quảng Ninh" in raw  # ensure_ascii=False: no \\u escapes for Vietnamese
    doc = json.loads(raw)
    assert doc["known_at"] == "2025-07-15T00:00:00+00:00"
    assert doc["catch_up"] is True
    assert doc["changes"][0]["after"] == "needs_acceleration"
    assert doc["failed_runs"] == [{"started_at": "2025-06-15T00:00:00+00:00",
                                   "scheduled_for": None, "error": "database is locked"}]


# --- CSV --------------------------------------------------------------------------------


def test_csv_header_cells_and_formula_neutralising(written: Path) -> None:
    raw = (written / "gap-report.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # plain UTF-8, no BOM
    with (written / "gap-report.csv").open(encoding="utf-8", newline="") as f:
        table = list(csv.DictReader(f))
        f.seek(0)
        header = next(csv.reader(f))
    assert header[: len(GAP_CONTRACT_COLUMNS)] == GAP_CONTRACT_COLUMNS
    assert header == GAP_COLUMNS
    by_target = {r["target"]: r for r in table}
    assert by_target["training_2030"]["note"] == "'=SUM(1)"
    assert by_target["training_2030"]["latest_source"] == "'@source"
    assert by_target["poor_2025"]["observed_rate"] == "-600.0"  # a number, not text
    assert by_target["digital_2030"]["latest_value"] == ""
    assert by_target["income_2025"]["latest_value"] == "84.14"
    assert by_target["income_2025"]["deadline"] == "2025-12-31"
    assert by_target["training_2030"]["stale"] == "true"


def test_csv_reads_back_into_pandas_with_dot_decimals(tmp_path: Path) -> None:
    # Machine formats ignore the language: a Vietnamese run still writes 84.14.
    write_report(gaps_frame(), readings_frame(), context(lang="vi"), tmp_path / "r",
                 formats=["csv"])
    back = pd.read_csv(tmp_path / "r" / "gap-report.csv")
    assert back.loc[0, "latest_value"] == pytest.approx(84.14)
    assert back["latest_value"].isna().sum() == 1


# --- XLSX -------------------------------------------------------------------------------


def test_xlsx_formula_text_is_inert_and_numbers_stay_numbers(written: Path) -> None:
    book = openpyxl.load_workbook(written / "gap-report.xlsx")
    assert book.sheetnames == ["gaps", "readings"]
    sheet = book["gaps"]
    header = [c.value for c in sheet[1]]
    assert header == GAP_COLUMNS
    col = {name: i for i, name in enumerate(header)}
    rows = {r[col["target"]].value: r for r in sheet.iter_rows(min_row=2)}

    note = rows["training_2030"][col["note"]]
    assert note.data_type == "s"
    assert note.value == "'=SUM(1)"
    rate = rows["poor_2025"][col["observed_rate"]]
    assert rate.data_type == "n" and rate.value == -600
    deadline = rows["income_2025"][col["deadline"]]
    assert deadline.is_date and deadline.value == datetime(2025, 12, 31)
    assert rows["digital_2030"][col["latest_value"]].value is None
    assert book["readings"].max_row == 1 + len(readings_frame())


# --- Markdown ---------------------------------------------------------------------------


def test_markdown_sections_tables_and_escaping(written: Path) -> None:
    md = (written / "gap-report.md").read_text(encoding="utf-8")
    assert "## Targets due 2025" in md
    assert "## Targets due 2030" in md
    assert md.index("## Targets due 2025") < md.index("## Targets due 2030")
    assert "\\| see annex" in md  # the note's pipe cannot end the table cell
    assert '\\<script>alert("x")\\</script>' in md  # shown as text, never run as HTML
    assert not re.search(r"(?<!\\)<", md)
    assert "| Average rural income (income_2025) | > 100 million VND/person/year | " \
           "84.14 (2024-12-31) | 15.86 | 18.8%/yr | Needs acceleration |" in md
    assert "8,000–10,000 USD/person/year" in md
    assert "> 87% (2023-06-30)" in md
    assert "| 3 pp | 0.4 pp/yr |" in md  # percent gaps and linear rates: percentage points
    assert "4,634.03 (to stretch: 6,634.03)" in md
    assert "6 targets: achieved: **2** · on track: **1** · at risk: **1** · " \
           "off track: **0** · insufficient data: **1** · no data: **1**" in md
    assert "First run: there is no earlier report to compare with." in md
    assert "- Trained rural workers (training_2030): latest reading dated 2023-06-30" in md
    assert "Failed runs" not in md


def test_markdown_every_table_row_has_the_same_number_of_cells(written: Path) -> None:
    md = (written / "gap-report.md").read_text(encoding="utf-8")
    for line in md.splitlines():
        if line.startswith("|"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 8, line


def test_numbers_follow_the_language() -> None:
    en = render_markdown(gaps_frame(), context(lang="en"))
    vi = render_markdown(gaps_frame(), context(lang="vi"))
    assert "84.14 (2024-12-31)" in en and "84,14" not in en
    # (The conversion text is data, quoted as recorded: only formatted numbers change.)
    assert "84,14 (2024-12-31)" in vi and "84.14 (2024-12-31)" not in vi
    assert "8.000–10.000 USD/person/year" in vi
    assert "18,8%/năm" in vi
    assert "## Chỉ tiêu đến năm 2025" in vi
    assert "Cần tăng tốc" in vi and "Chưa có số liệu" in vi
    assert "2024-12-31" in vi  # dates stay ISO in both languages


def test_markdown_run_notices_changes_failures_and_conversions() -> None:
    ctx = context(
        catch_up=True,
        known_at=datetime(2025, 7, 15, 12, tzinfo=UTC),
        previous_run_at=datetime(2025, 6, 1, 6, tzinfo=ICT),
        changes=(
            Change("status", "income_2025", "income", "on_track", "needs_acceleration"),
            Change("gap", "income_2025", "income", "20.5", "15.86"),
            Change("retracted_reading", None, "income", "71 (2023)", None, "duplicate"),
        ),
        failed_runs=(FailedRun(datetime(2025, 6, 15, 6, tzinfo=ICT), "database is locked",
                               scheduled_for=datetime(2025, 6, 15, 6, tzinfo=ICT)),),
        exchange_rates=(
            ExchangeRate("USD", "VND", 2024, 25000.0, "commercial banks", estimate=True),
            ExchangeRate("USD", "VND", 2020, 23208.37, "IMF IFS"),
        ),
    )
    md = render_markdown(gaps_frame(), ctx)
    assert "> **Catch-up run:" in md
    assert "> **Rebuilt as known at 2025-07-15T12:00:00+00:00:" in md
    assert "## Changes since the last run (2025-06-01T06:00:00+07:00)" in md
    assert "- income_2025: status On track → Needs acceleration" in md
    assert "- income_2025: gap 20.5 → 15.86" in md
    assert "- income: retracted reading 71 (2023) (duplicate)" in md
    assert "## Failed runs since the last success" in md
    assert "2025-06-15T06:00:00+07:00 (slot 2025-06-15T06:00:00+07:00): database is locked" in md
    assert ("- 1 USD = 25,000 VND (2024); source: commercial banks; estimate: replace it "
            "with the official figure; used by: income_usd_2030") in md
    assert "- 1 USD = 23,208.37 VND (2020); source: IMF IFS; not used in this report" in md
    assert "- income_usd_2030: 84.14 million VND at 25,000 VND per USD (VND→USD 2024)" in md


@given(st.text())
def test_markdown_escape_keeps_text_inside_one_cell(value: str) -> None:
    escaped = md_escape(value)
    assert "\n" not in escaped and "\r" not in escaped
    assert "|" not in re.sub(r"\\.", "", escaped)  # every pipe is backslash-escaped


@given(st.text())
def test_neutralised_text_never_starts_a_formula(value: str) -> None:
    assert not neutralise(value).startswith(("=", "+", "-", "@", "\t", "\r"))


# --- HTML -------------------------------------------------------------------------------


def test_html_is_escaped_self_contained_and_charted(written: Path) -> None:
    page = (written / "gap-report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; | see annex" in page
    for match in re.finditer(r"https?://", page):
        assert page[: match.start()].endswith('xmlns="'), page[match.start() - 40:match.end()]
    assert "src=" not in page and "href=" not in page and "@import" not in page
    # Charts: numeric targets with readings in the region (income, poor, training);
    # not the range goal (no readings of income_usd), the milestone or the no-data row.
    assert page.count("<svg") == 3
    assert "12,345.67" not in page  # the other area's reading is not drawn
    assert 'stroke-dasharray="6 4"' in page  # a projection
    assert "status-needs_acceleration" in page


def test_html_in_vietnamese(tmp_path: Path) -> None:
    write_report(gaps_frame(), readings_frame(), context(lang="vi"), tmp_path / "r",
                 formats=["html"])
    page = (tmp_path / "r" / "gap-report.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in page
    assert "Chú giải trạng thái" in page and "Đúng tiến độ" in page
    assert "84,14" in page


# --- atomic writing ---------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_write_report_writes_the_requested_formats_and_replaces_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "gap-report.csv").write_text("old")  # a format this run does not write
    paths = write_report(gaps_frame(), readings_frame(), context(), out, formats=["md", "json"])
    assert paths == [out / "gap-report.md", out / "gap-report.json"]
    assert sorted(p.name for p in out.iterdir()) == ["gap-report.json", "gap-report.md"]
    assert _leftovers(tmp_path) == []


def test_all_formats_by_default(written: Path) -> None:
    assert sorted(p.name for p in written.iterdir()) == sorted(f"gap-report.{f}" for f in FORMATS)


def test_unknown_format_fails_before_writing(written: Path) -> None:
    before = _snapshot(written)
    with pytest.raises(ValueError, match="unknown report format.*pdf"):
        write_report(gaps_frame(), readings_frame(), context(), written, formats=["md", "pdf"])
    assert _snapshot(written) == before
    assert _leftovers(written.parent) == []


def test_frame_without_contract_columns_fails_before_writing(written: Path) -> None:
    before = _snapshot(written)
    with pytest.raises(ValueError, match="lacks contract columns: ratio"):
        write_report(gaps_frame().drop(columns=["ratio"]), readings_frame(), context(), written)
    assert _snapshot(written) == before
    assert _leftovers(written.parent) == []


def test_a_writer_failing_midway_leaves_the_previous_report(
    written: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(written)

    def broken(gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext,
               path: Path) -> None:
        path.write_text("<html>half a rep")
        raise OSError("disk full")

    monkeypatch.setitem(reports.WRITERS, "html", broken)
    with pytest.raises(OSError, match="disk full"):
        write_report(gaps_frame(), readings_frame(), context(lang="vi"), written)
    assert _snapshot(written) == before
    assert _leftovers(written.parent) == []


def test_a_failure_in_a_fresh_folder_leaves_nothing(tmp_path: Path) -> None:
    # JSON and CSV take any scalar, but Markdown needs a real date to group by year:
    # the run fails after two files were already written, in the temporary folder.
    gaps = gaps_frame()
    gaps["deadline"] = gaps["deadline"].astype(object)
    gaps.loc[2, "deadline"] = "not a date"
    with pytest.raises(AttributeError):
        write_report(gaps, readings_frame(), context(), tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


# --- latest pointer and context ---------------------------------------------------------


def test_update_latest_pointer(tmp_path: Path) -> None:
    first, second = tmp_path / "2025-05-31", tmp_path / "2025-06-30"
    for run in (first, second):
        write_report(gaps_frame(), readings_frame(), context(), run, formats=["json"])
    update_latest_pointer(tmp_path, first)
    update_latest_pointer(tmp_path, second)
    latest = tmp_path / "latest"
    assert latest.is_symlink()
    assert not Path(latest.readlink()).is_absolute()  # survives moving the reports folder
    assert latest.resolve() == second.resolve()
    assert (latest / "gap-report.json").exists()
    assert (tmp_path / "LATEST").read_text(encoding="utf-8") == "2025-06-30"
    assert _leftovers(tmp_path) == []


def test_context_refuses_naive_time_and_unknown_language() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        context(generated_at=datetime(2025, 7, 1, 6, 0))
    with pytest.raises(ValueError, match="unknown report language 'fr'"):
        context(lang="fr")
    with pytest.raises(ValueError, match="unknown change kind"):
        Change("renamed", None, None, None, None)


def test_vietnamese_report_says_the_assessment_notes_in_vietnamese() -> None:
    from tracker.reports.i18n import note_text

    note = "fewer than two points: no trend yet; latest reading is a bound: more than 5400"
    assert note_text(note, "vi") == (
        "chưa đủ hai điểm số liệu: chưa tính được xu hướng; "
        "số liệu mới nhất là giới hạn dưới: hơn 5400"
    )
    assert note_text(note, "en") == note
