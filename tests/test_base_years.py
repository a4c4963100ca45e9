"""Base years and split years (DESIGN.md "Goals without a number, and base years"):
`baseline: {date: ...}` follows the current reading of that period through corrections;
2015-16 / 2015/2016 dates end on the programme's `split_year_end`, refused without it.
End to end through the real CLI on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

import pytest
from test_assess import frame, ind, prog, r
from test_cli_readings import cli, history, rows

from tracker.assess import assess
from tracker.errors import TargetsFileError
from tracker.model import Baseline
from tracker.parsing import parse_period_end
from tracker.targets import parse_program

# --- split years ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("2015-16", date(2016, 6, 30)),
        ("2014/2015", date(2015, 6, 30)),
        ("2015/16", date(2016, 6, 30)),
        ("2015-2016", date(2016, 6, 30)),
        ("1999/00", date(2000, 6, 30)),  # the century turns
        ("2011/12", date(2012, 6, 30)),
        ("2011-12", date(2011, 12, 31)),  # a month always wins: December 2011
        ("2024-06", date(2024, 6, 30)),
    ],
)
def test_split_years_end_on_split_year_end_of_the_second_year(text, end):
    assert parse_period_end(text, split_year_end="06-30") == end


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2015/2017", "covers two consecutive years, e.g. 2015-16 or 2015/2016"),
        ("2024/06", "is not a date; write YYYY-MM-DD, YYYY-MM or YYYY"),  # not a split year
        ("2015-17", "is not a real date (check the month and day)"),  # a mistyped month
    ],
)
def test_split_years_must_be_consecutive(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_period_end(text, split_year_end="06-30")


def test_a_split_year_without_split_year_end_is_refused_saying_what_to_declare():
    with pytest.raises(ValueError) as e:
        parse_period_end("2015-16")
    assert str(e.value) == (
        '"2015-16" is a split year (a fiscal or school year); declare when such a year ends '
        'with split_year_end: "MM-DD" in the targets file (e.g. "06-30"), or write the date '
        "the reading describes (YYYY-MM-DD)"
    )


HEAD = """\
program: Test
region: R
"""


def problems(text: str) -> list[str]:
    with pytest.raises(TargetsFileError) as e:
        parse_program(text, "t.yaml")
    return [str(p) for p in e.value.problems]


def test_targets_file_refuses_bad_declarations_with_line_and_column():
    text = HEAD + textwrap.dedent("""\
        split_year_end: "02-29"
        assessment: {method: eurostat, compare: yes please}
        indicators:
          water:
            unit: percent
            limit_factor: 2
            targets:
              - {by: 2030, improve: false}
              - {by: 2031, improve: true, stretch: 5}
          done_flag:
            kind: milestone
            targets:
              - {by: 2030, improve: true}
        """)
    assert problems(text) == [
        't.yaml:3:17: "split_year_end": "02-29" is not a day of the year; write MM-DD, '
        'e.g. "06-30" (a day every year has: not 02-29)',
        't.yaml:4:22: "method" of "assessment" must be one of statcan, unsd, linear, '
        'not "eurostat"',
        't.yaml:4:41: "compare" must be true or false, not "yes please"',
        't.yaml:8:19: "limit_factor" of indicator "water" must be between 0 and 1 '
        "(1: no natural limit near; 0: the base value sits on the limit)",
        't.yaml:10:29: "improve" can only be true (keep improving in the indicator\'s '
        'direction), not "false"; for a number use at_least / at_most',
        "t.yaml:11:44: a goal without a number (improve: true) has no stretch value",
        't.yaml:15:29: indicator "done_flag" is a milestone: its target is "done: true"',
    ]


def test_split_year_baseline_needs_split_year_end():
    text = HEAD + textwrap.dedent("""\
        indicators:
          enrolment:
            unit: percent
            baseline: {date: 2015-16}
        """)
    (message,) = problems(text)
    assert message.startswith('t.yaml:6:22: baseline date: "2015-16" is a split year')


def test_baseline_date_without_value_is_accepted_and_with_split_year_end_too():
    text = HEAD + textwrap.dedent("""\
        split_year_end: "06-30"
        assessment: {method: unsd, compare: true}
        indicators:
          enrolment:
            unit: percent
            limit_factor: 0.5
            baseline: {date: 2015-16}
            targets:
              - {by: 2030, improve: true}
        """)
    program = parse_program(text, "t.yaml")
    enrolment = program.indicators["enrolment"]
    assert enrolment.baseline == Baseline(date(2016, 6, 30), None, None)
    assert enrolment.limit_factor == 0.5
    assert enrolment.targets[0].comparator == "improve"
    assert enrolment.targets[0].id == "enrolment@2030"
    assert (program.method, program.compare, program.split_year_end) == ("unsd", True, "06-30")


# --- baseline by date, in assess -------------------------------------------------------


def baseline_on(day: date):
    return prog(
        ind("x", ("x", date(2028, 1, 1), "at_least", 200.0), baseline=Baseline(day, None, None))
    )


def test_baseline_date_takes_the_reading_of_that_period_not_the_first_one():
    # Readings 2019-01-01: 50 (ignored), 2020-01-01: 100 (the base), 2024-01-01: 146.41.
    # CAGR_i = (146.41/100)^(1/4) - 1 = 0.10 (4.0 years); without the baseline it would
    # run from 50 over 5.0 years: (146.41/50)^(1/5) - 1 = 0.2396.
    readings = frame(r("x", "2019-01-01", 50.0), r("x", "2020-01-01", 100.0),
                     r("x", "2024-01-01", 146.41))
    g = assess(baseline_on(date(2020, 1, 1)), readings, date(2024, 6, 30)).iloc[0]
    assert (g["baseline_value"], g["baseline_date"]) == (100.0, pd_day("2020-01-01"))
    assert g["observed_rate"] == pytest.approx(0.10)
    assert g["n_points"] == 2


def test_baseline_date_without_a_reading_there_takes_the_first_one_after_it():
    # Nothing dated 2019-06-30: the first reading on or after it (2020-01-01) is the base.
    readings = frame(r("x", "2019-01-01", 50.0), r("x", "2020-01-01", 100.0),
                     r("x", "2024-01-01", 146.41))
    g = assess(baseline_on(date(2019, 6, 30)), readings, date(2024, 6, 30)).iloc[0]
    assert g["baseline_date"] == pd_day("2020-01-01")
    assert g["observed_rate"] == pytest.approx(0.10)


def test_baseline_date_after_every_reading_gives_no_trend_and_says_why():
    readings = frame(r("x", "2019-01-01", 50.0), r("x", "2020-01-01", 100.0))
    g = assess(baseline_on(date(2023, 1, 1)), readings, date(2024, 6, 30)).iloc[0]
    assert g["status"] == "insufficient_data"
    assert "no reading on or after the baseline date 2023-01-01" in g["note"]


def pd_day(text: str):
    import pandas as pd

    return pd.Timestamp(text)


# --- end to end: split-year readings, a corrected base year, compare --------------------


TARGETS = HEAD + textwrap.dedent("""\
    split_year_end: "06-30"
    assessment: {compare: true}
    indicators:
      enrolment:
        name: {en: School enrolment, vi: Tỷ lệ nhập học}
        unit: percent
        limit_factor: 0.5
        baseline: {date: 2015-16}
        targets:
          - {by: 2030, improve: true}
    """)
READINGS = """\
indicator,date,value,unit,source
enrolment,2014-15,90,percent,school census
enrolment,2015-16,80,percent,school census
enrolment,2019/2020,83.2,percent,school census
"""


@pytest.fixture
def programme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "actuals").mkdir()
    (tmp_path / "targets.yaml").write_text(TARGETS, encoding="utf-8")
    (tmp_path / "actuals" / "enrolment.csv").write_text(READINGS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for var in ("TRACKER_TARGETS", "TRACKER_DATABASE_URL", "TRACKER_ACTUALS", "TRACKER_REPORTS"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def run_row(db: str, out: str) -> dict:
    result = cli("--database", db, "run", "--as-of", "2021-01-01", "--out", out)
    assert result.exit_code == 0, result.output
    (only,) = json.loads(Path(out, "gap-report.json").read_text(encoding="utf-8"))["rows"]
    return only


def test_base_year_follows_a_correction_of_that_reading(programme: Path, store_url: str):
    assert cli("--database", store_url, "import").exit_code == 0
    # Base: the 2015-16 reading, dated 2016-06-30 (split_year_end 06-30); latest 2019/2020
    # at 2020-06-30, 1461 days = 4.0 years later.
    # CAGR = (83.2 / 80)^(1/4) - 1 = 1.04^0.25 - 1 = 0.0098534
    # statcan, C = 0.5: 0.0098534 >= 0.015 * 0.5 = 0.0075 -> on_track
    # unsd: 0.005 <= 0.0098534 < 0.02 -> needs_acceleration: fragile
    first = run_row(store_url, "r1")
    assert (first["baseline_value"], first["baseline_date"]) == (80.0, "2016-06-30")
    assert first["latest_date"] == "2020-06-30" and first["target_value"] is None
    assert first["observed_rate"] == pytest.approx(0.0098534, rel=1e-4)
    assert first["status"] == "on_track"
    assert first["status_by_method"] == {
        "statcan": "on_track", "unsd": "needs_acceleration", "linear": None,
    }
    assert first["fragile"] is True

    # The statistics office revises 2015-16 to 82: the file changes, the import corrects.
    Path("actuals", "enrolment.csv").write_text(
        READINGS.replace("2015-16,80,", "2015-16,82,"), encoding="utf-8"
    )
    assert cli("--database", store_url, "import").exit_code == 0
    revisions = [x for x in rows(history(store_url)) if x["date"] == "2016-06-30"]
    assert [(x["value"], x["state"]) for x in revisions] == [
        ("80", "superseded"), ("82", "current")
    ]
    # CAGR = (83.2 / 82)^(1/4) - 1 = 1.0146341^0.25 - 1 = 0.0036386:
    # statcan 0.0025 <= 0.0036386 < 0.0075 -> needs_acceleration; unsd < 0.005 and >= 0
    # -> limited_progress
    second = run_row(store_url, "r2")
    assert second["baseline_value"] == 82.0
    assert second["observed_rate"] == pytest.approx(0.0036386, rel=1e-4)
    assert second["status_by_method"] == {
        "statcan": "needs_acceleration", "unsd": "limited_progress", "linear": None,
    }
    md = Path("r2", "gap-report.md").read_text(encoding="utf-8")
    assert "| keep improving ↑ |" in md
    assert "Needs acceleration · methods disagree" in md
    assert ("- School enrolment (enrolment@2030): Statistics Canada / Open SDG: Needs "
            "acceleration; UN Statistics Division (Progress Chart): Limited progress; linear "
            "pace (SDSN): no rule for a goal without a number") in md


def test_split_year_reading_without_split_year_end_is_refused_and_nothing_changes(
    programme: Path, sqlite_url: str
):
    assert cli("--database", sqlite_url, "import").exit_code == 0
    before = history(sqlite_url)
    Path("targets.yaml").write_text(
        TARGETS.replace('split_year_end: "06-30"\n', "").replace(
            "baseline: {date: 2015-16}", "baseline: {date: 2016-06-30}"
        ),
        encoding="utf-8",
    )
    Path("actuals", "enrolment.csv").write_text(
        READINGS + "enrolment,2020-21,84,percent,school census\n", encoding="utf-8"
    )
    result = cli("--database", sqlite_url, "import")
    assert result.exit_code == 2
    assert ('actuals/enrolment.csv:2: date: "2014-15" is a split year (a fiscal or school '
            'year); declare when such a year ends with split_year_end') in result.output
    assert history(sqlite_url) == before
    added = cli("--database", sqlite_url, "add", "enrolment", "85", "--date", "2021/22",
                "--source", "s")
    assert added.exit_code == 2
    assert '"2021/22" is a split year' in added.output
    assert history(sqlite_url) == before


def test_a_split_year_starts_the_day_after_the_previous_one_ends():
    # 2025-26 with split_year_end 06-30: 2025-07-01 .. 2026-06-30. The reading rules refuse
    # a period that starts after today, so this is what "has begun" is measured by.
    from tracker.parsing import period_start

    assert period_start("2025-26", split_year_end="06-30") == date(2025, 7, 1)
    # A year is twelve months whatever its end: ending 2026-12-31, it began 2026-01-01.
    assert period_start("2025/2026", split_year_end="12-31") == date(2026, 1, 1)
    assert period_start("2025", split_year_end="06-30") == date(2025, 1, 1)
