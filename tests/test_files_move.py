"""Reading files that move or vanish: a renamed file keeps its readings; a vanished file
is reported at every import and run until `tracker import --forget FILE` retracts them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from tracker.cli import app

runner = CliRunner()
SHIPPED = "quang-ninh-ntm-2025.csv"


def cli(db: str, *args: str):
    result = runner.invoke(app, ["--database", db, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def history(db: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(cli(db, "export", "--history").stdout)))


def test_a_renamed_file_keeps_its_readings(workdir: Path, store_url: str):
    assert cli(store_url, "import").exit_code == 0
    before = history(store_url)
    (workdir / "actuals" / SHIPPED).rename(workdir / "actuals" / "renamed.csv")
    result = cli(store_url, "import")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"actuals/renamed.csv: the same file as {SHIPPED}, moved or renamed; its 16 readings "
        "now come from actuals/renamed.csv\n"
    )
    assert history(store_url) == before  # same ids, values and states: nothing retracted
    assert cli(store_url, "import").stdout == "actuals/renamed.csv: unchanged (16 readings)\n"
    correct = cli(store_url, "correct", "1", "92")
    assert "line 2 of the reading file renamed.csv" in correct.stderr


def test_a_vanished_file_is_reported_at_every_import_and_run_until_forgotten(
    workdir: Path, sqlite_url: str
):
    assert cli(sqlite_url, "import").exit_code == 0
    (workdir / "actuals" / SHIPPED).unlink()
    before = history(sqlite_url)
    gone = cli(sqlite_url, "import")
    assert gone.exit_code == 0
    [line] = gone.stderr.splitlines()
    assert line.startswith(f"actuals/{SHIPPED} was imported on ")
    assert line.endswith(
        f"and is gone: its 16 readings still count; `tracker import --forget actuals/{SHIPPED}` "
        "retracts them"
    )
    run = cli(sqlite_url, "run")
    assert run.exit_code == 0 and line in run.stderr
    assert history(sqlite_url) == before  # saying so changes nothing
    forgot = cli(sqlite_url, "import", "--forget", f"actuals/{SHIPPED}")
    assert forgot.stdout == (
        f"actuals/{SHIPPED}: forgotten; its 16 current readings were retracted\n"
    )
    assert {r["state"] for r in history(sqlite_url)} == {"retracted"}
    assert cli(sqlite_url, "import").stderr == ""
    never = cli(sqlite_url, "import", "--forget", "actuals/never.csv")
    assert never.exit_code == 2 and "was never imported" in never.stderr
