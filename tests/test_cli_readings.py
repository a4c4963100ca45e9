"""The readings commands of the real CLI (`tracker.cli.app` through CliRunner, and the
installed console script once): add, import, correct, readings, export, the settings
taken from the environment, and exit codes. Every user mistake exits 2 with the exact
sentence, no traceback, and the store exactly as it was (`tracker export --history`).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
SHIPPED = "actuals/quang-ninh-ntm-2025.csv"
READING_FILE_COLUMNS = ["indicator", "date", "value", "unit", "source", "area", "qualifier",
                        "note", "confirmed"]


def cli(*args: str, env: dict[str, str] | None = None):
    result = runner.invoke(app, list(args), env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def history(db: str) -> str:
    result = cli("--database", db, "export", "--history")
    assert result.exit_code == 0, result.output
    return result.stdout


def rows(csv_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_text)))


def table(text: str) -> list[dict[str, str]]:
    """The `tracker readings` table as dicts, cut at the spans of its "----" line."""
    lines = text.splitlines()
    spans, pos = [], 0
    for dashes in lines[1].split("  "):
        spans.append((pos, pos + len(dashes)))
        pos += len(dashes) + 2
    cut = lambda line: [line[a:b].strip() for a, b in spans]  # noqa: E731
    header = cut(lines[0])
    return [dict(zip(header, cut(line), strict=True)) for line in lines[2:]]


def add(db: str, *args: str):
    return cli("--database", db, "add", *args)


# --- tracker add ------------------------------------------------------------------------


def test_add_in_vietnamese_style(workdir, store_url):
    result = add(store_url, "rural_income", "84,14", "--date", "2024", "--unit",
                 "triệu đồng/người/năm", "--source", "Hà Anh article", "--locale", "vi")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == ("recorded reading 1: rural_income = 84.14 triệu đồng/người/năm on "
                             "2024-12-31 (Quảng Ninh)\n")
    [r] = rows(history(store_url))
    assert (r["value"], r["unit"], r["date"], r["state"]) == (
        "84.14", "triệu đồng/người/năm", "2024-12-31", "current")


def test_add_uses_the_indicator_unit_by_default_and_the_region_as_area(workdir, store_url):
    result = add(store_url, "ethnic_minority_programme_capital", "2240", "--date", "2025-06",
                 "--source", "article", "--qualifier", "more_than")
    assert result.stdout == ("recorded reading 1: ethnic_minority_programme_capital = 2,240 "
                             "billion VND on 2025-06-30 (Quảng Ninh)\n")
    [r] = rows(history(store_url))
    assert (r["unit"], r["area"], r["qualifier"]) == ("billion VND", "Quảng Ninh", "more_than")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rural_income", "84,14", "--date", "2024", "--source", "s"],
         'value: "84,14" is not a number; write it with "." as the decimal mark and no thousands '
         'separator (read Vietnamese-style it is 84.14: write 84.14, or give --locale vi to '
         'tracker add / correct)'),
        (["communes", "91", "--date", "June 2025", "--source", "s"],
         'date: "June 2025" is not a date; write YYYY-MM-DD, YYYY-MM or YYYY'),
        (["communes", "91", "--date", "2025-02-30", "--source", "s"],
         'date: "2025-02-30" is not a real date (check the month and day)'),
        (["ghost", "91", "--date", "2025", "--source", "s"],
         'indicator: unknown indicator "ghost"; it must be a key under indicators: in '
         "targets.yaml"),
        (["communes", "91", "--date", "2025", "--source", "s", "--unit", "furlongs/fortnight"],
         'unit: cannot read the unit "furlongs/fortnight": a scale or "/..." tail needs a '
         "currency (VND, đồng, USD)"),
        (["communes", "91", "--date", "2025", "--source", "s", "--unit", "households"],
         'unit: "households" counts something else than "communes", the unit of "communes"'),
        (["model_province", "5", "--date", "2025", "--source", "s"],
         'value: "5" is not yes or no (this indicator is a milestone)'),
        (["communes", "91", "--date", "2025", "--source", " "],
         "source: the source is empty; say where the figure comes from"),
        (["communes", "91", "--date", "2025", "--source", "s", "--locale", "fr"],
         '--locale must be "en" or "vi", not "fr"'),
    ],
)
def test_add_refuses_bad_input_and_leaves_the_store_unchanged(workdir, store_url, args,
                                                              message):
    add(store_url, "communes", "91", "--date", "2024", "--source", "before")
    before = history(store_url)
    result = add(store_url, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")
    assert history(store_url) == before


def test_add_refuses_a_second_reading_for_the_same_key(workdir, store_url):
    add(store_url, "communes", "91", "--date", "2025-06", "--source", "s")
    before = history(store_url)
    result = add(store_url, "communes", "90", "--date", "2025-06-30", "--source", "t")
    assert result.exit_code == 2
    assert result.stderr == ("date: communes for Quảng Ninh on 2025-06-30 is already recorded as "
                             "reading 1; to change it use `tracker correct 1 VALUE`\n")
    assert history(store_url) == before


# --- tracker import -------------------------------------------------------------------------


def test_import_the_shipped_file_then_again(workdir, store_url):
    first = cli("--database", store_url, "import")
    assert (first.exit_code, first.stderr) == (0, "")
    assert first.stdout == f"{SHIPPED}: 16 added, 0 corrected, 0 retracted, 0 unchanged\n"
    before = history(store_url)
    second = cli("--database", store_url, "import")
    assert (second.exit_code, second.stdout) == (0, f"{SHIPPED}: unchanged (16 readings)\n")
    assert history(store_url) == before


def test_import_of_a_bad_file_exits_2_lists_the_rows_and_imports_nothing(workdir, store_url):
    cli("--database", store_url, "import")
    before = history(store_url)
    (workdir / "actuals" / "more.csv").write_text(
        "indicator,date,value,unit,source\ncommunes,2026,92,communes,s\n"
        "ghost,2026,1,communes,s\ncommunes,2026,93,communes,s\n", encoding="utf-8")
    result = cli("--database", store_url, "import")
    assert result.exit_code == 2
    assert result.stdout == f"{SHIPPED}: unchanged (16 readings)\n"
    assert result.stderr.splitlines() == [
        'actuals/more.csv:3: indicator: unknown indicator "ghost"; it must be a key under '
        "indicators: in targets.yaml",
        "actuals/more.csv:4: communes for Quảng Ninh on 2026-12-31 is already given at line 2; "
        "keep one row per indicator, area and date",
        "1 file(s) refused; nothing was imported from them. Fix the rows listed and run "
        "`tracker import` again.",
    ]
    assert history(store_url) == before


def test_import_of_an_edited_file_corrects_and_retracts(workdir, store_url):
    cli("--database", store_url, "import")
    path = workdir / SHIPPED
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    edited = [line.replace("2025-06,25,communes", "2025-06,26,communes") for line in lines
              if not line.startswith("poor_households,")]
    path.write_text("".join(edited), encoding="utf-8")
    result = cli("--database", store_url, "import")
    assert result.stdout == f"{SHIPPED}: 0 added, 1 corrected, 1 retracted, 14 unchanged\n"
    hist = rows(history(store_url))
    model = [(r["value"], r["state"], r["revision_of"]) for r in hist
             if r["indicator"] == "model_ntm_communes"]
    old_id = next(r["id"] for r in hist if r["indicator"] == "model_ntm_communes"
                  and r["state"] == "superseded")
    assert model == [("25", "superseded", ""), ("26", "current", old_id)]
    assert [r["state"] for r in hist if r["indicator"] == "poor_households"] == ["retracted"]


def test_an_area_too_long_for_the_store_is_refused_as_bad_input(workdir, store_url):
    # The reading table holds areas of up to 200 characters. A longer one is the user's
    # mistake: refused with file:line on every backend, never an "internal error".
    cli("--database", store_url, "import")
    before = history(store_url)
    (workdir / "actuals" / "long.csv").write_text(
        "indicator,date,value,unit,source,area\ncommunes,2024,91,communes,s," + "x" * 201
        + "\n", encoding="utf-8")
    result = cli("--database", store_url, "import")
    assert result.exit_code == 2
    assert result.stderr.startswith("actuals/long.csv:2: ")
    assert "internal error" not in result.output
    assert history(store_url) == before


def test_import_without_a_readings_folder(workdir, store_url):
    result = cli("--database", store_url, "--actuals", "nowhere", "import")
    assert result.exit_code == 2
    assert result.stderr == ("nowhere: the readings folder does not exist; create it or set "
                             "TRACKER_ACTUALS / --actuals\n")


# --- correct -------------------------------------------------------------------------------


def test_correct_refuses_a_superseded_reading_and_a_file_reading(workdir, store_url):
    cli("--database", store_url, "import")
    add(store_url, "communes", "90", "--date", "2024", "--source", "s")  # reading 17
    fixed = cli("--database", store_url, "correct", "17", "91")
    assert fixed.stdout == "reading 17 corrected: the new revision is reading 18\n"
    before = history(store_url)
    again = cli("--database", store_url, "correct", "17", "92")
    assert (again.exit_code, again.stderr) == (
        2, "reading 17 was already corrected (by reading 18); correct reading 18 instead\n")
    from_file = cli("--database", store_url, "correct", "1", "92")
    assert (from_file.exit_code, from_file.stderr) == (
        2, "reading 1 cannot be corrected here: it comes from line 2 of the reading file "
        "quang-ninh-ntm-2025.csv: edit that line (or delete it) and run `tracker import`, so "
        "the file and the store stay the same\n")
    assert history(store_url) == before


def test_a_correction_meets_the_same_cross_reading_rules_as_a_new_reading(workdir, store_url):
    db = ("--database", store_url)
    add(store_url, "vbsp_entrusted_capital", "1200", "--date", "2023", "--source", "s")  # 1
    add(store_url, "vbsp_entrusted_capital", "1300", "--date", "2024", "--source", "s")  # 2
    add(store_url, "communes", "91", "--date", "2024", "--source", "s")  # 3
    add(store_url, "ntm_communes", "90", "--date", "2024", "--source", "s")  # 4
    before = history(store_url)
    # 13000 / 1200 = 10.8: ten times or more the previous reading (2023), so it is held.
    jump = cli(*db, "correct", "2", "13000")
    assert (jump.exit_code, jump.stderr) == (
        2,
        "value: 13000 billion VND is 11 times the previous reading of vbsp_entrusted_capital "
        "for Quảng Ninh, 1200 billion VND on 2023-12-31 (reading 1); if the figure is right, "
        "confirm it (tracker correct --confirm)\n",
    )
    # A part above its whole, whichever side the correction changes: 95 of 91, 90 of 80.
    part = cli(*db, "correct", "4", "95")
    assert (part.exit_code, part.stderr) == (
        2,
        "value: 95 ntm_communes is more than the 91 communes on 2024-12-31 for Quảng Ninh "
        "(reading 3); a part cannot be larger than its whole: check both figures\n",
    )
    whole = cli(*db, "correct", "3", "80")
    assert (whole.exit_code, whole.stderr) == (
        2,
        "value: 90 ntm_communes is more than the 80 communes on 2024-12-31 for Quảng Ninh "
        "(reading 4); a part cannot be larger than its whole: check both figures\n",
    )
    assert history(store_url) == before

    confirmed = cli(*db, "correct", "2", "13000", "--confirm", "--reason", "audited")
    assert (confirmed.exit_code, confirmed.stderr) == (0, "")
    assert confirmed.stdout == "reading 2 corrected: the new revision is reading 5, confirmed\n"
    # A later correction of the note keeps the confirmation: the value and date are the same.
    noted = cli(*db, "correct", "5", "--note", "audited by the province")
    assert noted.stdout == "reading 5 corrected: the new revision is reading 6, confirmed\n"
    got = {r["id"]: r for r in rows(history(store_url))}
    assert (got["2"]["state"], got["2"]["confirmed"]) == ("superseded", "")
    assert (got["5"]["value"], got["5"]["state"], got["5"]["confirmed"]) == (
        "13000", "superseded", "yes")
    assert (got["6"]["value"], got["6"]["revision_of"], got["6"]["confirmed"]) == (
        "13000", "5", "yes")
    # A new value is a new figure: the confirmation of the old one does not carry over.
    again = cli(*db, "correct", "6", "14000")
    assert again.exit_code == 2 and "is 12 times the previous reading" in again.stderr


# --- readings and export ---------------------------------------------------------------------


def test_readings_lists_ids_and_history_lists_states(workdir, store_url):
    add(store_url, "communes", "90", "--date", "2024", "--source", "s")
    add(store_url, "ntm_communes", "54", "--date", "2024", "--source", "s")
    cli("--database", store_url, "correct", "1", "91", "--reason", "typo")
    cli("--database", store_url, "retract", "2", "--reason", "wrong list")
    current = cli("--database", store_url, "readings")
    assert current.stdout.splitlines()[0].split() == [
        "id", "indicator", "area", "date", "value", "unit", "qualifier", "source", "confirmed"]
    assert [(r["id"], r["indicator"], r["value"]) for r in table(current.stdout)] == [
        ("3", "communes", "91")]
    full = table(cli("--database", store_url, "readings", "--history").stdout)
    assert [(r["id"], r["value"], r["state"], r["revision_of"]) for r in full] == [
        ("1", "90", "superseded", ""), ("3", "91", "current", "1"),
        ("2", "54", "retracted", "")]
    assert full[0]["end_reason"].startswith("typo (cli")
    assert full[2]["end_reason"].startswith("wrong list (cli")


def test_readings_of_an_unknown_indicator_and_of_an_empty_store(workdir, store_url):
    empty = cli("--database", store_url, "readings")
    assert (empty.exit_code, empty.stdout) == (
        0, "no readings recorded; add some with `tracker add` or `tracker import`\n")
    bad = cli("--database", store_url, "readings", "ghost")
    assert bad.exit_code == 2
    assert bad.stderr.startswith('unknown indicator "ghost"; the targets file declares: '
                                 "model_province, advanced_ntm_share, ")


def test_export_has_the_reading_file_columns_plus_id(workdir, store_url):
    cli("--database", store_url, "import")
    out = cli("--database", store_url, "export").stdout
    assert out.splitlines()[0].split(",") == ["id"] + READING_FILE_COLUMNS
    exported = {r["indicator"]: r for r in rows(out)}
    shipped = rows((workdir / SHIPPED).read_text(encoding="utf-8"))
    assert len(exported) == len(shipped) == 16
    for s in shipped:
        e = exported[s["indicator"]]
        assert (e["value"], e["unit"], e["source"], e["qualifier"], e["note"]) == (
            s["value"], s["unit"], s["source"], s["qualifier"], s["note"])
        assert e["area"] == "Quảng Ninh"
    assert exported["rural_income"]["date"] == "2024-12-31"
    assert exported["communes"]["date"] == "2025-06-30"


def test_export_history_adds_revision_of_recorded_at_and_state(workdir, store_url, tmp_path):
    add(store_url, "communes", "90", "--date", "2024", "--source", "s")
    add(store_url, "ntm_communes", "54", "--date", "2024", "--source", "s")
    cli("--database", store_url, "correct", "1", "91")
    cli("--database", store_url, "retract", "2", "--reason", "wrong")
    out_file = tmp_path / "history.csv"
    result = cli("--database", store_url, "export", "--history", "--out", str(out_file))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", f"wrote {out_file}\n")
    text = out_file.read_text(encoding="utf-8")
    assert text.splitlines()[0].split(",") == (
        ["id"] + READING_FILE_COLUMNS + ["revision_of", "recorded_at", "state"])
    got = [(r["id"], r["value"], r["revision_of"], r["state"]) for r in rows(text)]
    assert got == [("1", "90", "", "superseded"), ("3", "91", "1", "current"),
                   ("2", "54", "", "retracted")]
    assert all(r["recorded_at"].endswith("+00:00") for r in rows(text))


# --- settings from the environment, overridden by flags -------------------------------------


def test_environment_variables_are_honoured_and_flags_override_them(workdir, tmp_path):
    other = tmp_path / "other"
    (other / "readings").mkdir(parents=True)
    shutil.copy(workdir / "targets.yaml", other / "goals.yaml")
    (other / "readings" / "r.csv").write_text(
        "indicator,date,value,unit,source\ncommunes,2025,91,communes,env\n", encoding="utf-8")
    env = {"TRACKER_TARGETS": str(other / "goals.yaml"),
           "TRACKER_DATABASE_URL": f"sqlite:///{other / 'env.db'}",
           "TRACKER_ACTUALS": str(other / "readings")}
    imported = cli("import", env=env)
    assert imported.stdout == f"{other / 'readings' / 'r.csv'}: 1 added, 0 corrected, " \
                              "0 retracted, 0 unchanged\n"
    assert (other / "env.db").exists() and not (workdir / "tracker.db").exists()
    assert [r["source"] for r in rows(cli("export", env=env).stdout)] == ["env"]

    flags = ["--database", "sqlite:///flag.db", "--actuals", "actuals"]
    by_flags = cli(*flags, "import", env=env)
    assert by_flags.stdout == f"{SHIPPED}: 16 added, 0 corrected, 0 retracted, 0 unchanged\n"
    assert (workdir / "flag.db").exists()
    assert len(rows(cli("--database", "sqlite:///flag.db", "export", env=env).stdout)) == 16

    (workdir / "broken.yaml").write_text("program: x\n", encoding="utf-8")
    env["TRACKER_TARGETS"] = "broken.yaml"
    refused = cli("validate", env=env)
    assert (refused.exit_code, refused.stderr) == (
        2, 'broken.yaml:1:1: the targets file has no "region"; add it\n'
           'broken.yaml:1:1: the targets file has no "indicators"; add at least one\n')
    overridden = cli("--targets", "targets.yaml", "validate", env=env)
    assert overridden.exit_code == 0
    assert overridden.stdout.startswith("targets.yaml: OK — ")


def test_an_unusable_database_exits_1_without_a_traceback(workdir):
    result = cli("--database", "sqlite:///no/such/folder/t.db", "readings")
    assert result.exit_code == 1
    assert result.stderr == ('error: the folder "no/such/folder" of the SQLite database does '
                             "not exist; create it or choose another TRACKER_DATABASE_URL\n")


# --- the installed console script ------------------------------------------------------------


def test_the_installed_tracker_imports_and_exports(workdir, store_url):
    tracker = shutil.which("tracker") or str(Path(sys.executable).parent / "tracker")
    run = lambda *a: subprocess.run([tracker, "--database", store_url, *a], cwd=workdir,  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    imported = run("import")
    assert (imported.returncode, imported.stderr) == (0, "")
    assert imported.stdout == f"{SHIPPED}: 16 added, 0 corrected, 0 retracted, 0 unchanged\n"
    exported = run("export")
    assert exported.returncode == 0
    got = rows(exported.stdout)
    assert [r["id"] for r in got] and len(got) == 16
    income = next(r for r in got if r["indicator"] == "rural_income")
    assert (income["value"], income["unit"], income["date"]) == (
        "84.14", "million VND/person/year", "2024-12-31")
    bad = run("add", "communes", "91", "--date", "June 2025", "--source", "s")
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr == 'date: "June 2025" is not a date; write YYYY-MM-DD, YYYY-MM or YYYY\n'
    assert "Traceback" not in bad.stderr
