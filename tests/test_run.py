"""`tracker run` end to end on the shipped programme: real files, real SQLite/PostgreSQL,
the real CLI. Figures are computed by hand from facts.md and the declared rates."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker.cli import app

runner = CliRunner()
FORMATS = [
    "gap-report.json",
    "gap-report.csv",
    "gap-report.md",
    "gap-report.html",
    "gap-report.xlsx",
]


def tracker(*args: str, db: str | None = None) -> object:
    pre = ["--database", db] if db else []
    return runner.invoke(app, [*pre, *args], catch_exceptions=False)


def rows_by_target(report_dir: Path) -> dict[str, dict]:
    doc = json.loads((report_dir / "gap-report.json").read_text(encoding="utf-8"))
    return {r["target"]: r for r in doc["rows"]}


def test_run_on_the_shipped_programme_writes_every_format_and_says_income_is_short(
    workdir: Path, store_url: str
) -> None:
    result = tracker("run", "--as-of", "2026-11-29", db=store_url)
    assert result.exit_code == 0, result.output
    # a day other than today: a what-if run, written aside; the live pointer is not moved
    out = workdir / "reports" / "what-if" / "2026-11-29"
    for name in FORMATS:
        assert (out / name).stat().st_size > 0, name
    assert not (workdir / "reports" / "latest").exists()
    assert "a what-if run" in result.output

    rows = rows_by_target(out)
    income = rows["rural_income@2025"]
    # 84.14 million VND at the declared 2024 rate of 25,000 VND/USD:
    # 84.14e6 / 25,000 = 3,365.6 USD; gap to "more than 5,000" = 1,634.4; deadline passed.
    assert income["status"] == "missed"
    assert income["latest_value"] == pytest.approx(3365.6)
    assert income["gap"] == pytest.approx(1634.4)
    assert income["latest_date"] == "2024-12-31"
    md = (out / "gap-report.md").read_text(encoding="utf-8")
    assert "84.14 million VND/person/year = 3,365.6 USD/person/year at 25,000 VND/USD" in md
    # 54 / 91 communes = 59.34% >= 50%: met, from two counts of the same date.
    share = rows["advanced_ntm_share@2030"]
    assert share["status"] == "achieved"
    assert share["latest_value"] == pytest.approx(54 / 91 * 100)
    assert share["gap"] == 0
    # Range goal 8,000-10,000 with one reading: short of both, no trend invented.
    income_2030 = rows["rural_income@2030"]
    assert income_2030["status"] == "insufficient_data"
    assert income_2030["gap"] == pytest.approx(8000 - 3365.6)
    assert income_2030["stretch_value"] == 10000
    # Milestones without a reading yet.
    assert rows["model_province@2030"]["status"] == "no_data"
    assert rows["ntm_share@2025"]["status"] == "achieved"
    assert rows["poor_households@2025"]["status"] == "achieved"
    assert "missed" in result.output and "rural_income@2025" in result.output


def test_json_rows_carry_exactly_the_contract_fields(workdir: Path, sqlite_url: str) -> None:
    from tracker.frames import GAP_CONTRACT_COLUMNS

    assert tracker("run", "--as-of", "2026-11-29", "--out", "out", db=sqlite_url).exit_code == 0
    doc = json.loads((workdir / "out" / "gap-report.json").read_text(encoding="utf-8"))
    assert {"as_of", "generated_at", "program", "rows"} <= doc.keys()
    assert doc["as_of"] == "2026-11-29"
    for row in doc["rows"]:
        assert set(GAP_CONTRACT_COLUMNS) <= row.keys()
    # --out writes there and leaves reports/latest alone.
    assert not (workdir / "reports").exists()


def test_a_correction_shows_in_changes_and_known_at_rebuilds_the_earlier_report(
    workdir: Path, store_url: str
) -> None:
    # Two live runs (no --as-of, --known-at or --out): the second reports what changed.
    assert tracker("run", db=store_url).exit_code == 0
    latest = workdir / "reports" / "latest"
    shutil.copytree(latest.resolve(), workdir / "first")
    today = json.loads((latest / "gap-report.json").read_text(encoding="utf-8"))["as_of"]
    before_correction = time.time()
    time.sleep(0.05)
    # The officer fixes the income figure in the reading file: the sync makes it a correction.
    csv = workdir / "actuals" / "quang-ninh-ntm-2025.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",84.14,", ",87.5,"), encoding="utf-8")
    result = tracker("run", db=store_url)
    assert result.exit_code == 0, result.output
    assert "1 corrected" in result.output
    shutil.copytree(latest.resolve(), workdir / "second")

    second = json.loads((workdir / "second" / "gap-report.json").read_text(encoding="utf-8"))
    kinds = {(c["kind"], c.get("indicator")) for c in second["changes"]}
    assert ("corrected_reading", "rural_income") in kinds
    assert ("gap", "rural_income") not in kinds  # the gap shrank: 87.5e6/25,000 = 3,500
    md = (workdir / "second" / "gap-report.md").read_text(encoding="utf-8")
    assert "Changes since the last run" in md
    assert rows_by_target(workdir / "second")["rural_income@2025"]["latest_value"] == (
        pytest.approx(3500.0)
    )

    # Rebuild as known just before the correction: the first report's rows, exactly.
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(before_correction, UTC).isoformat()
    rebuilt = tracker(
        "run", "--as-of", today, "--known-at", moment, "--out", "rebuilt", db=store_url
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    first_rows = json.loads((workdir / "first" / "gap-report.json").read_text())["rows"]
    rebuilt_rows = json.loads((workdir / "rebuilt" / "gap-report.json").read_text())["rows"]
    assert rebuilt_rows == first_rows


def test_a_bad_reading_file_does_not_sink_the_run(workdir: Path, sqlite_url: str) -> None:
    (workdir / "actuals" / "broken.csv").write_text(
        "indicator,date,value,unit,source\nrural_income,2025-13,90,USD/person/year,x\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["--database", sqlite_url, "run", "--as-of", "2026-11-29", "--out", "out"]
    )
    assert result.exit_code == 0
    assert (
        'actuals/broken.csv:2: date: "2025-13" is not a real date (check the month and day)'
    ) in result.output
    md = (workdir / "out" / "gap-report.md").read_text(encoding="utf-8")
    assert "actuals/broken.csv: refused, nothing imported from it" in md
    assert rows_by_target(workdir / "out")["rural_income@2025"]["status"] == "missed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-02-30"], '--as-of: "2026-02-30" is not a day; write YYYY-MM-DD'),
        (
            ["--known-at", "yesterday"],
            '--known-at: "yesterday" is not a moment; write YYYY-MM-DD or YYYY-MM-DDTHH:MM',
        ),
        (
            ["--format", "pdf"],
            "--format pdf is not a report format; use one of json, csv, md, html, xlsx",
        ),
        (["--lang", "fr"], '--lang must be "en" or "vi", not "fr"'),
    ],
)
def test_bad_run_arguments_are_refused_with_a_sentence(
    workdir: Path, sqlite_url: str, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["--database", sqlite_url, "run", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (workdir / "reports").exists()


def test_vietnamese_report_formats_numbers_the_vietnamese_way(
    workdir: Path, sqlite_url: str
) -> None:
    assert (
        tracker(
            "run", "--as-of", "2026-11-29", "--lang", "vi", "--out", "vi", db=sqlite_url
        ).exit_code
        == 0
    )
    md = (workdir / "vi" / "gap-report.md").read_text(encoding="utf-8")
    assert "3.365,6" in md and "Không đạt (quá hạn)" in md


def test_failed_run_is_recorded_shown_by_status_and_listed_in_the_next_report(
    workdir: Path, sqlite_url: str
) -> None:
    assert tracker("run", db=sqlite_url).exit_code == 0
    good = (workdir / "targets.yaml").read_text(encoding="utf-8")
    (workdir / "targets.yaml").write_text(
        good.replace("timezone: Asia/Ho_Chi_Minh", "timezone: Mars/Olympus"), encoding="utf-8"
    )
    bad = runner.invoke(app, ["--database", sqlite_url, "run"])
    assert bad.exit_code == 2
    assert 'targets.yaml:7:11: unknown timezone "Mars/Olympus"' in bad.output
    (workdir / "targets.yaml").write_text(good, encoding="utf-8")
    status = runner.invoke(app, ["--database", sqlite_url, "status", "--check"])
    assert status.exit_code == 1
    assert "last failure: #2" in status.output and "unknown timezone" in status.output
    assert "consecutive failures since the last success: 1" in status.output
    again = tracker("run", db=sqlite_url)
    assert again.exit_code == 0
    doc = json.loads((workdir / "reports" / "latest" / "gap-report.json").read_text("utf-8"))
    assert len(doc["failed_runs"]) == 1 and "unknown timezone" in doc["failed_runs"][0]["error"]
    ok = runner.invoke(app, ["--database", sqlite_url, "status", "--check"])
    assert ok.exit_code == 0 and "state: OK" in ok.output


def test_history_shows_a_target_over_runs(workdir: Path, sqlite_url: str) -> None:
    for day in ("2025-06-30", "2026-11-29"):
        assert tracker("run", "--as-of", day, "--out", day, db=sqlite_url).exit_code == 0
    result = tracker("history", "rural_income@2025", db=sqlite_url)
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "run",
        "started",
        "as",
        "of",
        "status",
        "latest",
        "latest",
        "date",
        "gap",
    ]
    # Newest first: missed once the deadline passed; before it, one point, no trend.
    assert "2026-11-29" in lines[2] and "missed" in lines[2]
    assert "2025-06-30" in lines[3] and "insufficient_data" in lines[3]
    unknown = runner.invoke(app, ["--database", sqlite_url, "history", "nope"])
    assert unknown.exit_code == 2 and 'unknown target "nope"' in unknown.output


def test_installed_tracker_runs_in_a_subprocess(workdir: Path) -> None:
    exe = shutil.which("tracker") or str(Path(sys.executable).with_name("tracker"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    proc = subprocess.run(
        [exe, "run"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (workdir / "tracker.db").exists()
    assert rows_by_target(workdir / "reports" / "latest")["rural_income@2025"]["status"] == (
        "missed"
    )
    help_proc = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    for verb in (
        "validate",
        "import",
        "add",
        "correct",
        "retract",
        "readings",
        "export",
        "run",
        "status",
        "history",
    ):
        assert verb in help_proc.stdout


def test_status_calls_out_a_run_killed_without_a_trace(workdir: Path, sqlite_url: str) -> None:
    # A run whose process died hard stays "running" in the ledger: status must say so.
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from tracker.store import runs
    from tracker.store.database import open_store

    engine = open_store(sqlite_url)
    run_id = runs.claim_run(engine, job="schedule", slot=datetime(2026, 11, 1, tzinfo=UTC))
    with engine.begin() as conn:
        conn.execute(update(runs.RUN).where(runs.RUN.c.id == run_id)
                     .values(started_at=datetime.now(UTC) - timedelta(hours=7)))
    result = runner.invoke(app, ["--database", sqlite_url, "status", "--check"])
    assert result.exit_code == 1
    assert f'run #{run_id} has been "running" since' in result.output
    assert "state: NEEDS ATTENTION" in result.output


def test_a_what_if_run_moves_neither_latest_nor_status_nor_the_next_reports_changes(
    workdir: Path, sqlite_url: str
) -> None:
    assert tracker("run", db=sqlite_url).exit_code == 0  # run 1: live
    latest = (workdir / "reports" / "latest").resolve()
    # The README's own example: the report as of 2025-12-31, as known today. Run 2: what-if.
    what_if = tracker("run", "--as-of", "2025-12-31", "--known-at", "2030-01-01", db=sqlite_url)
    assert what_if.exit_code == 0, what_if.output
    assert (workdir / "reports" / "latest").resolve() == latest
    assert list((workdir / "reports" / "what-if").iterdir())[0].name.startswith(
        "2025-12-31-known-20300101T"
    )
    status = tracker("status", db=sqlite_url).output
    assert "last run: #1 manual" in status and "last success: #1" in status
    assert "+07:00" in status  # the programme's timezone (Asia/Ho_Chi_Minh), not UTC
    runs = tracker("history", db=sqlite_url).output.splitlines()
    assert runs[2].split()[:2] == ["2", "what-if"] and runs[3].split()[:2] == ["1", "manual"]
    # run 3, live: its changes are against run 1 (nothing changed), not against the what-if
    # (as of 2025-12-31, whose statuses differ)
    assert tracker("run", db=sqlite_url).exit_code == 0
    doc = json.loads((workdir / "reports" / "latest" / "gap-report.json").read_text("utf-8"))
    assert [c for c in doc["changes"] if c["kind"] in ("status", "gap")] == []
