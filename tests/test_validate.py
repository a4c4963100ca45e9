"""`tracker validate` checks everything a run would read; the rough edges a new user hits
(no targets file, a closed pipe) end with a sentence, never "internal error"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tracker.cli import app

runner = CliRunner()


def cli(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "internal error" not in result.output
    return result


def test_validate_checks_the_targets_and_every_reading_file_and_writes_nothing(workdir: Path):
    ok = cli("validate")
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.endswith("actuals: 1 reading file(s), 16 readings OK\n")
    (workdir / "actuals" / "more.csv").write_text(
        "indicator,date,value,unit,source\ncommunes,2024,5.400,communes,s\n", encoding="utf-8"
    )
    bad = cli("validate")
    assert bad.exit_code == 2
    assert bad.stderr.splitlines()[0].startswith(
        'actuals/more.csv:2: value: "5.400" is not a whole number, but "communes" counts '
        "communes; 5.400: did you mean 5400?"
    )
    assert not (workdir / "tracker.db").exists()


def test_a_unit_typo_in_targets_is_named_with_both_places_and_a_guess(workdir: Path):
    targets = workdir / "targets.yaml"
    text = targets.read_text(encoding="utf-8")
    targets.write_text(text.replace("unit: households", "unit: housholds", 1), encoding="utf-8")
    line = text[: text.index("unit: households")].count("\n") + 1
    result = cli("validate")
    assert result.exit_code == 2
    assert (
        f"targets.yaml:{line}:11: the unit \"housholds\" of \"poor_households\" matches none of "
        "its readings' units (\"households\" at actuals/quang-ninh-ntm-2025.csv:11); did you "
        'mean "households"?'
    ) in result.stderr.splitlines()


def test_an_impossible_date_in_targets_is_file_line_col(workdir: Path):
    targets = workdir / "targets.yaml"
    text = targets.read_text(encoding="utf-8")
    targets.write_text(text.replace("by: 2030", "by: 2025-02-30", 1), encoding="utf-8")
    line = text[: text.index("by: 2030")].count("\n") + 1
    result = cli("validate")
    assert result.exit_code == 2
    assert f"targets.yaml:{line}:" in result.stderr
    assert '"2025-02-30" is not a real date (check the month and day)' in result.stderr


def test_a_notify_command_with_broken_quotes_is_a_validate_error(workdir: Path):
    targets = workdir / "targets.yaml"
    with targets.open("a", encoding="utf-8") as fh:
        fh.write('notify:\n  command: "echo \\"unclosed"\n')
    result = cli("validate")
    assert result.exit_code == 2
    assert 'notify.command "echo "unclosed" cannot be split into words (No closing ' in (
        result.stderr
    )


def test_no_targets_file_exits_2_naming_the_ways_to_point_at_it_and_creates_nothing(
    tmp_path: Path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    for var in ("TRACKER_TARGETS", "TRACKER_DATABASE_URL", "TRACKER_ACTUALS"):
        monkeypatch.delenv(var, raising=False)
    for command in (["readings"], ["export"], ["status"], ["history"], ["validate"]):
        result = cli(*command)
        assert (result.exit_code, result.stderr) == (
            2,
            "targets.yaml: the targets file does not exist; create it or point TRACKER_TARGETS "
            "/ --targets at it\n",
        ), command
    assert list(tmp_path.iterdir()) == []


def test_a_closed_pipe_ends_quietly(workdir: Path):
    exe = shutil.which("tracker") or str(Path(sys.executable).with_name("tracker"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    # far more than a pipe's buffer holds, so the writer meets the closed end
    rows = "".join(f"communes,2024,{i},communes,census,Area {i}\n" for i in range(30_000))
    (workdir / "actuals" / "big.csv").write_text(
        "indicator,date,value,unit,source,area\n" + rows, encoding="utf-8"
    )
    assert subprocess.run([exe, "import"], cwd=workdir, env=env, timeout=300).returncode == 0
    proc = subprocess.run(
        f"'{exe}' export --history | head -1; exit ${{PIPESTATUS[0]}}",
        executable="/bin/bash",
        shell=True,
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.startswith("id,indicator,")
    assert (proc.returncode, proc.stderr) == (0, "")
