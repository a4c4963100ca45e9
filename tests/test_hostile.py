"""The attack battery of issue 9, kept: hostile inputs, odd files and machine faults.

Each case asserts the exit code, the exact message, and that nothing changed that should not
have: `tracker export --history` (the store) and the reports folder (every file's bytes).
Cases about the database run on SQLite and on PostgreSQL (`store_url`); cases about files
and the terminal run on SQLite. Mount-based cases (a full disk, a read-only folder) need
the right to mount a small tmpfs and are skipped without it.

Reading rules themselves (absurd values, control characters in text fields) belong to the
reading-rule tests; here a value that is already in a store must still not break anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker.cli import app

runner = CliRunner()
AS_OF = "2026-11-29"
SHIPPED = "actuals/quang-ninh-ntm-2025.csv"
HEADER = "indicator,date,value,unit,source,area,qualifier,note\n"


def cli(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


class World:
    """The shipped programme imported and reported once, in a temporary folder."""

    def __init__(self, folder: Path, db: str) -> None:
        self.dir, self.db = folder, db

    def tracker(self, *args: str):
        return cli("--database", self.db, *args)

    def history(self) -> str:
        result = self.tracker("export", "--history")
        assert result.exit_code == 0, result.output
        return result.stdout

    def reports(self) -> dict[str, str]:
        return tree(self.dir / "reports")

    def snapshot(self) -> tuple[str, dict[str, str]]:
        return self.history(), self.reports()


def tree(folder: Path) -> dict[str, str]:
    """Every entry under `folder`: a file's SHA-256, a link's target, "dir" for folders."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def world(workdir: Path, store_url: str) -> World:
    w = World(workdir, store_url)
    ran = w.tracker("run", "--as-of", AS_OF)
    assert ran.exit_code == 0, ran.output
    return w


@pytest.fixture
def sqlite_world(workdir: Path, sqlite_url: str) -> World:
    w = World(workdir, sqlite_url)
    ran = w.tracker("run", "--as-of", AS_OF)
    assert ran.exit_code == 0, ran.output
    return w


def refused(w: World, args: tuple[str, ...], code: int, stderr: str) -> None:
    """`args` ends with exit `code` and exactly `stderr`; the store and reports are as before."""
    before = w.snapshot()
    result = w.tracker(*args)
    assert (result.exit_code, result.stderr) == (code, stderr), result.output
    assert w.snapshot() == before


# ------------------------------------------------------------------ 1. --out never destroys


def test_run_out_refuses_a_folder_holding_someone_s_work(sqlite_world: World) -> None:
    docs = sqlite_world.dir / "docs"
    docs.mkdir()
    (docs / "thesis.txt").write_text("work")
    refused(
        sqlite_world,
        ("run", "--out", "docs"),
        2,
        "docs holds files that are not a tracker report (thesis.txt); a report replaces its "
        "whole folder, so tracker will not write there: give a new or empty folder\n",
    )
    assert tree(docs) == {"thesis.txt": hashlib.sha256(b"work").hexdigest()}


def test_run_out_refuses_a_file(sqlite_world: World) -> None:
    (sqlite_world.dir / "notes.txt").write_text("notes")
    refused(
        sqlite_world,
        ("run", "--out", "notes.txt"),
        2,
        "notes.txt is a file, not a folder; tracker writes the report as a folder and "
        "replaces nothing it did not make: give a new folder name with --out\n",
    )
    assert (sqlite_world.dir / "notes.txt").read_text() == "notes"


def test_run_out_refuses_a_symbolic_link(sqlite_world: World) -> None:
    (sqlite_world.dir / "elsewhere").mkdir()
    (sqlite_world.dir / "link").symlink_to("elsewhere")
    refused(
        sqlite_world,
        ("run", "--out", "link"),
        2,
        "link is a symbolic link, not a folder; tracker writes the report as a folder and "
        "replaces nothing it did not make: give a new folder name with --out\n",
    )
    assert os.readlink(sqlite_world.dir / "link") == "elsewhere"


def test_run_out_refuses_the_current_folder(sqlite_world: World) -> None:
    refused(
        sqlite_world,
        ("run", "--out", "."),
        2,
        ". is the current folder (or holds it); give a new folder name with --out\n",
    )


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="no /dev/full here")
def test_run_and_export_out_refuse_a_device(sqlite_world: World) -> None:
    before = os.stat("/dev/full")
    refused(
        sqlite_world,
        ("run", "--out", "/dev/full"),
        2,
        "/dev/full is a device, not a folder; tracker writes the report as a folder and "
        "replaces nothing it did not make: give a new folder name with --out\n",
    )
    refused(
        sqlite_world,
        ("export", "--out", "/dev/full"),
        2,
        "/dev/full is a device, not a plain file; tracker replaces only files it wrote: give "
        "another file name, or leave --out out to write to the terminal\n",
    )
    after = os.stat("/dev/full")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_run_out_replaces_a_previous_report_and_fills_an_empty_folder(sqlite_world: World) -> None:
    empty = sqlite_world.dir / "empty"
    empty.mkdir()
    assert sqlite_world.tracker("run", "--as-of", AS_OF, "--out", "empty").exit_code == 0
    assert sorted(tree(empty)) == sorted(
        f"gap-report.{f}" for f in ("csv", "docx", "html", "json", "md", "xlsx")
    )
    again = sqlite_world.tracker("run", "--as-of", AS_OF, "--out", "empty", "--format", "md")
    assert again.exit_code == 0
    assert sorted(tree(empty)) == ["gap-report.md"]


def test_export_out_refuses_a_folder_and_a_file_it_did_not_write(sqlite_world: World) -> None:
    (sqlite_world.dir / "docs").mkdir()
    refused(
        sqlite_world,
        ("export", "--out", "docs"),
        2,
        "docs is a folder; give the export a file name, e.g. --out docs/readings.csv\n",
    )
    (sqlite_world.dir / "thesis.txt").write_text("chapter 1\n")
    refused(
        sqlite_world,
        ("export", "--out", "thesis.txt"),
        2,
        "thesis.txt already exists and is not a tracker export; tracker will not replace it: "
        "give another file name\n",
    )
    assert (sqlite_world.dir / "thesis.txt").read_text() == "chapter 1\n"


def test_export_out_replaces_its_own_previous_export(sqlite_world: World) -> None:
    assert sqlite_world.tracker("export", "--out", "readings.csv").exit_code == 0
    again = sqlite_world.tracker("export", "--history", "--out", "readings.csv")
    assert (again.exit_code, again.stderr) == (0, "wrote readings.csv\n")
    assert (sqlite_world.dir / "readings.csv").read_text() == sqlite_world.history()


# ------------------------------------------------------------------ 2. YAML bombs and depth

BOMB = (
    "program: P\nregion: R\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(8)
    )
)
TOO_DEEP = "the values are nested more than 50 levels deep here; a targets file needs about five " \
    "(indicators > key > targets > item > value)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            BOMB,
            "bad.yaml:7:4: the aliases (*name) here expand to more than 10,000 values; write "
            "the values out instead of repeating anchors",
        ),
        (
            "program: P\nregion: R\nindicators: " + "[" * 5000 + "]" * 5000 + "\n",
            "bad.yaml:3:1012: this is not valid YAML: exceeded maximum nesting depth",
        ),
        (
            "program: P\nregion: R\nindicators: " + "[" * 60 + "]" * 60 + "\n",
            f"bad.yaml:3:63: {TOO_DEEP}",
        ),
        (
            "program: P\nregion: R\nindicators:\n"
            + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(60))
            + "  " * 61 + "1\n",
            f"bad.yaml:54:103: {TOO_DEEP}",
        ),
        ("program: P\nregion: R\nindicators: &a [*a]\n", f"bad.yaml:3:13: {TOO_DEEP}"),
    ],
    ids=["billion-laughs", "flow-5000-deep", "flow-60-deep", "block-60-deep", "self-alias"],
)
def test_hostile_yaml_is_refused_with_its_place(
    sqlite_world: World, text: str, message: str
) -> None:
    (sqlite_world.dir / "bad.yaml").write_text(text)
    refused(sqlite_world, ("validate", "bad.yaml"), 2, message + "\n")
    # every command reads the targets file: none may hang on it, nor change anything
    refused(sqlite_world, ("--targets", "bad.yaml", "run", "--as-of", AS_OF), 2, message + "\n")


# ------------------------------------------------------------------ 3. unclosed quote


def test_an_unclosed_quote_is_an_error_and_nothing_is_imported(world: World) -> None:
    (world.dir / "actuals" / "more.csv").write_text(
        HEADER
        + 'communes,2024,90,communes,"Hà Anh article\n'
        + "communes,2023,89,communes,Hà Anh article\n"
        + "communes,2022,88,communes,Hà Anh article\n"
    )
    refused(
        world,
        ("import",),
        2,
        'actuals/more.csv:2: a quote (") opened in this row is never closed, so every line after '
        'it would be read as part of one field; close the quote (write a quote inside a field '
        'as "")\n1 file(s) refused; nothing was imported from them. Fix the rows listed and '
        "run `tracker import` again.\n",
    )


def test_text_after_a_closing_quote_is_an_error(world: World) -> None:
    (world.dir / "actuals" / "more.csv").write_text(
        HEADER + 'communes,2024,90,communes,"Hà Anh" article\n'
    )
    refused(
        world,
        ("import",),
        2,
        'actuals/more.csv:2: a quoted field has text after its closing quote; quote the whole '
        'field, and write a quote inside it as ""\n1 file(s) refused; nothing was imported '
        "from them. Fix the rows listed and run `tracker import` again.\n",
    )


# ------------------------------------------------------------- 4. no stored value breaks a report


def _store_value(db: str, indicator: str, value: float) -> None:
    """Put `value` straight into the store, as an older tracker (or a hand edit) could have."""
    from sqlalchemy import create_engine, update

    from tracker.store.tables import reading

    engine = create_engine(db)
    with engine.begin() as conn:
        table = reading
        conn.execute(update(table).where(table.c.indicator == indicator).values(value=value))
    engine.dispose()


@pytest.mark.parametrize(
    ("value", "shown_md", "shown_cli"),
    [
        (1e308, "1E308", "1e+308"),
        (-1e308, "-1E308", "-1e+308"),
        (1e30, "1E30", "1e+30"),
        (-5e25, "-5E25", "-5e+25"),
        (5e-324, "0", "4.940656458e-324"),
    ],
)
def test_an_absurd_stored_value_does_not_stop_reports(
    world: World, value: float, shown_md: str, shown_cli: str
) -> None:
    _store_value(world.db, "poor_households", value)
    for lang in ("vi", "en"):  # the English report is the one read below
        ran = world.tracker("run", "--as-of", AS_OF, "--lang", lang, "--no-import")
        assert (ran.exit_code, ran.stderr) == (0, ""), ran.output
    report = ran.stdout.split("report: ", 1)[1].splitlines()[0]  # where this run wrote
    md = (world.dir / report / "gap-report.md").read_text()
    assert f"| {shown_md} (31 Dec 2023) |" in md  # the Latest column of poor_households
    listed = world.tracker("readings", "poor_households")
    assert listed.exit_code == 0
    assert f"  {shown_cli}  " in listed.stdout


@pytest.mark.parametrize("value", [1e308, 1e30, 1e15, -1e15, 5e-324, float("inf"), float("nan")])
def test_report_numbers_render_any_float(value: float) -> None:
    from tracker.reports.i18n import number, percent, rate

    for lang in ("en", "vi"):
        for text in (number(value, lang), percent(value, lang), rate(value, "linear", "%", lang)):
            assert text and "nan" not in text.lower() or text.startswith("—")


def test_number_formats_pinned() -> None:
    from tracker.reports.i18n import number, percent

    assert number(1e30, "en") == "1E30"
    assert number(-1e308, "vi") == "-1E308"
    assert number(1.5e20, "vi") == "1,5E20"  # the Vietnamese decimal comma in the mantissa
    assert number(999_999_999_999_999.9, "en") == "999,999,999,999,999.9"  # below 1e15: written out
    assert number(float("inf"), "en") == "∞"
    assert number(float("nan"), "en") == "—"
    assert percent(1e308, "en") == "∞%"  # 1e308 x 100 overflows: infinite, not an error
    assert percent(1e14, "en") == "1E16%"


# ------------------------------------------------------------------ 5. one spelling (NFC)

NFD_REGION = unicodedata.normalize("NFD", "Quảng Ninh")


def test_a_decomposed_area_is_the_region(world: World) -> None:
    assert NFD_REGION != "Quảng Ninh"
    (world.dir / "actuals" / "mac.csv").write_text(
        HEADER + f"communes,2024,90,communes,{unicodedata.normalize('NFD', 'Hà Anh')},"
        f"{NFD_REGION},,\n",
        encoding="utf-8",
    )
    assert world.tracker("import").exit_code == 0
    history = world.history()
    assert NFD_REGION not in history and "Hà Anh" in history
    line = next(x for x in history.splitlines() if x.startswith("17,"))
    assert line.startswith("17,communes,2024-12-31,90,communes,Hà Anh,Quảng Ninh,")


def test_the_nfd_and_nfc_spellings_of_one_key_cannot_both_be_current(world: World) -> None:
    refused(
        world,
        ("add", "communes", "90", "--date", "2025-06", "--source", "s", "--area", NFD_REGION),
        2,
        "date: communes for Quảng Ninh on 2025-06-30 is already recorded as reading 1; it "
        "comes from line 2 of the reading file quang-ninh-ntm-2025.csv: edit that line (or "
        "delete it) and run `tracker import`, so the file and the store stay the same\n",
    )


def test_a_decomposed_unit_counts_the_same_thing(workdir: Path, store_url: str) -> None:
    (workdir / "xa.yaml").write_text(
        "program: P\nregion: Quảng Ninh\nindicators:\n  xa:\n    unit: xã\n"
        "    targets:\n      - {by: 2030, at_least: 5}\n"
    )
    (workdir / "actuals" / SHIPPED.split("/")[1]).unlink()
    (workdir / "actuals" / "xa.csv").write_text(
        HEADER + f"xa,2025,3,{unicodedata.normalize('NFD', 'xã')},s,,,\n"
    )
    w = World(workdir, store_url)
    result = w.tracker("--targets", "xa.yaml", "import")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout == "actuals/xa.csv: 1 added, 0 corrected, 0 retracted, 0 unchanged\n"
    assert w.history().splitlines()[1].startswith("1,xa,2025-12-31,3,xã,s,Quảng Ninh,")


def test_a_decomposed_targets_file_reads_as_composed(sqlite_world: World) -> None:
    text = (sqlite_world.dir / "targets.yaml").read_text(encoding="utf-8")
    (sqlite_world.dir / "nfd.yaml").write_text(unicodedata.normalize("NFD", text))
    from tracker.targets import load_program

    program = load_program(sqlite_world.dir / "nfd.yaml")
    assert program.region == "Quảng Ninh"
    assert program.indicators["rural_income"].name_vi == "Thu nhập bình quân khu vực nông thôn"


# ------------------------------------------------------------------ 6. concurrent imports (PG)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_imports_of_one_file_at_once_store_it_once(workdir: Path, store_url: str) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers already (BEGIN IMMEDIATE); the race is PG's")
    exe = shutil.which("tracker") or str(Path(sys.executable).with_name("tracker"))
    (workdir / "actuals" / SHIPPED.split("/")[1]).unlink()
    from datetime import date, timedelta

    rows = "".join(f"communes,{date(1900, 1, 1) + timedelta(days=i)},{i},communes,s,,,\n"
                   for i in range(3000))
    (workdir / "actuals" / "big.csv").write_text(HEADER + rows)
    for attempt in range(3):
        if attempt:  # a changed file: both imports race to correct the same rows
            changed = rows.replace(",s,", f",s{attempt},")
            (workdir / "actuals" / "big.csv").write_text(HEADER + changed)
        procs = [
            subprocess.Popen([exe, "--database", store_url, "import"], cwd=workdir,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=300) for p in procs]
        for p, (out, err) in zip(procs, outs, strict=True):
            assert (p.returncode, err) == (0, ""), (out, err)
        # one did the work, the other waited and found it done
        assert sorted(o for o, _ in outs) == sorted([
            "actuals/big.csv: 0 added, 0 corrected, 0 retracted, 3000 unchanged\n",
            "actuals/big.csv: " + ("3000 added, 0 corrected" if attempt == 0 else
                                   "0 added, 3000 corrected") + ", 0 retracted, 0 unchanged\n",
        ])
    current = [x for x in World(workdir, store_url).history().splitlines()[1:]
               if x.endswith(",current")]
    assert len(current) == 3000


# ------------------------------------------------------------------ 8. terminal escapes


def _store_source(db: str, indicator: str, source: str) -> None:
    from sqlalchemy import create_engine, update

    from tracker.store.tables import reading

    engine = create_engine(db)
    with engine.begin() as conn:
        table = reading
        conn.execute(update(table).where(table.c.indicator == indicator).values(source=source))
    engine.dispose()


def test_readings_show_control_characters_escaped(world: World) -> None:
    _store_source(world.db, "communes", "a\x1b]0;pwned\x07\x1b[2Jb\u202eZ")
    listed = world.tracker("readings", "communes")
    assert listed.exit_code == 0
    assert "\x1b" not in listed.stdout and "\u202e" not in listed.stdout
    assert "a\\x1b]0;pwned\\x07\\x1b[2Jb\\u202eZ" in listed.stdout
    # the data itself is kept exactly: the export is for machines
    assert "a\x1b]0;pwned\x07\x1b[2Jb\u202eZ" in world.history()


def test_refusal_messages_do_not_replay_escapes(world: World) -> None:
    refused(
        world,
        ("readings", "\x1b[2Jx"),
        2,
        'unknown indicator "\\x1b[2Jx"; the targets file declares: '
        + ", ".join(_indicators(world))
        + "\n",
    )
    (world.dir / "actuals" / "evil\x1b[31m.csv").write_text(
        HEADER + "\x1b]0;pwned\x07,2024,1,communes,s,,,\n"
    )
    result = world.tracker("import")
    assert result.exit_code == 2
    assert "\x1b" not in result.output
    assert result.stderr.startswith(
        'actuals/evil\\x1b[31m.csv:2: indicator: unknown indicator "\\x1b]0;pwned\\x07"'
    )


def _indicators(w: World) -> list[str]:
    from tracker.targets import load_program

    return list(load_program(w.dir / "targets.yaml").indicators)


# ------------------------------------------------------------- 9. targets accepted although wrong

PROGRAMME = "program: P\nregion: R\nindicators:\n  x:\n    unit: percent\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("    targets:\n      - {by: 2030, at_least: .nan}\n",
         'bad.yaml:7:30: "at_least" must be an ordinary number (not .nan, .inf or past 1e308)'),
        ("    targets:\n      - {by: 2030, at_most: -.inf}\n",
         'bad.yaml:7:29: "at_most" must be an ordinary number (not .nan, .inf or past 1e308)'),
        ("    targets:\n      - {by: 2030, at_least: 1" + "0" * 400 + "}\n",
         'bad.yaml:7:30: "at_least" must be an ordinary number (not .nan, .inf or past 1e308)'),
        ("    targets:\n      - {by: 2030, at_least: 5, stretch: .inf}\n",
         'bad.yaml:7:42: "stretch" must be an ordinary number (not .nan, .inf or past 1e308)'),
        ("    baseline: {date: 2031-01-01, value: 1, source: s}\n"
         "    targets:\n      - {by: 2030, at_least: 5}\n",
         'bad.yaml:6:22: the baseline of indicator "x" is dated 2031-01-01, not before the '
         "deadline 2030-12-31 of its target at line 8; a baseline is where progress is "
         "measured from: date it before the deadlines"),
        ("    baseline: {date: 2030-12-31, value: 1, source: s}\n"
         "    targets:\n      - {by: 2030, at_least: 5}\n",
         'bad.yaml:6:22: the baseline of indicator "x" is dated 2030-12-31, not before the '
         "deadline 2030-12-31 of its target at line 8; a baseline is where progress is "
         "measured from: date it before the deadlines"),
    ],
    ids=["nan", "minus-inf", "400-digits", "stretch-inf", "baseline-after", "baseline-on"],
)
def test_targets_file_refuses_what_cannot_be_a_goal(
    sqlite_world: World, body: str, message: str
) -> None:
    (sqlite_world.dir / "bad.yaml").write_text(PROGRAMME + body)
    refused(sqlite_world, ("validate", "bad.yaml"), 2, message + "\n")


# ------------------------------------------------------------------ 10. no "internal error"


@pytest.mark.parametrize("verb", ["retract", "correct"])
@pytest.mark.parametrize("rid", ["100000000000000000000", "9223372036854775808", "0", "-1"])
def test_an_id_no_reading_can_have(world: World, verb: str, rid: str) -> None:
    refused(
        world,
        ("retract", "--reason=x", "--", rid) if verb == "retract" else ("correct", "--", rid, "5"),
        2,
        f"there is no reading {rid}; `tracker readings` lists them with their ids\n",
    )


def test_known_at_the_last_day_of_the_calendar(world: World) -> None:
    ran = world.tracker("run", "--as-of", AS_OF, "--known-at", "9999-12-31", "--out", "kn")
    assert (ran.exit_code, ran.stderr) == (0, ""), ran.output
    refused(
        world,
        ("run", "--known-at", "9999-12-31T23:00-05:00"),
        2,
        '--known-at: "9999-12-31T23:00-05:00" is outside the moments tracker can store\n',
    )


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1677-01-01"])
def test_as_of_outside_the_calendar_the_assessment_can_hold(world: World, day: str) -> None:
    refused(
        world,
        ("run", "--as-of", day),
        2,
        f'--as-of: "{day}" is outside the years tracker assesses (1900-2200)\n',
    )


@pytest.mark.parametrize("limit", ["100000000000000000000", "0", "-3"])
def test_history_limit_out_of_range(world: World, limit: str) -> None:
    refused(
        world,
        ("history", f"--limit={limit}"),
        2,
        f"--limit must be between 1 and 100,000, not {limit}\n",
    )


def test_a_reports_folder_that_is_a_file(sqlite_world: World) -> None:
    (sqlite_world.dir / "notes.txt").write_text("notes")
    refused(
        sqlite_world,
        ("--reports", "notes.txt", "run", "--no-import"),
        2,
        "the reports folder notes.txt is a file; point TRACKER_REPORTS / --reports at a "
        "folder\n",
    )
    assert (sqlite_world.dir / "notes.txt").read_text() == "notes"


@contextlib.contextmanager
def tmpfs(where: Path, *options: str) -> Iterator[Path]:
    """A small real file system mounted at `where` (skip the test if mounting is not allowed)."""
    where.mkdir()
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(where)],
                           capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mount.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path) -> None:
    """Write until the disk is full."""
    with contextlib.suppress(OSError), (folder / "filler").open("wb") as fh:
        while True:
            fh.write(b"\0" * 4096)
            fh.flush()


def test_out_inside_a_read_only_folder(sqlite_world: World) -> None:
    with tmpfs(sqlite_world.dir / "ro", "ro", "size=64k"):
        refused(
            sqlite_world,
            ("run", "--as-of", AS_OF, "--out", "ro/report", "--no-import"),
            1,
            "error: ro is on a read-only disk; choose another folder\n",
        )
        refused(
            sqlite_world,
            ("export", "--out", "ro/readings.csv"),
            1,
            "error: ro is on a read-only disk; choose another folder\n",
        )


def test_a_full_disk_while_writing_a_report(sqlite_world: World) -> None:
    with tmpfs(sqlite_world.dir / "small", "size=256k") as small:
        ok = sqlite_world.tracker("run", "--as-of", AS_OF, "--out", "small/report", "--no-import")
        assert ok.exit_code == 0, ok.output
        previous = tree(small / "report")
        _fill(small)
        refused(
            sqlite_world,
            ("run", "--as-of", AS_OF, "--out", "small/report", "--no-import"),
            1,
            "error: the disk is full; free some space and run the command again. Nothing was "
            "half-written: the store and the previous report are as they were.\n",
        )
        assert tree(small / "report") == previous
        assert sorted(p.name for p in small.iterdir()) == ["filler", "report"]


def test_a_full_disk_while_importing(workdir: Path) -> None:
    # 2 MiB: a new store of 16 KiB pages takes ~0.35 MiB, and as much in its WAL at first
    with tmpfs(workdir / "small", "size=2m") as small:
        w = World(workdir, f"sqlite:///{small / 'tracker.db'}")
        assert w.tracker("import").exit_code == 0
        before = w.history()
        rows = "".join(f"communes,{1800 + i // 12}-{i % 12 + 1:02d},{i},communes,{'s' * 200},,,\n"
                       for i in range(2000))
        (workdir / "actuals" / "big.csv").write_text(HEADER + rows)
        _fill_leaving(small, 96 * 1024)  # room to open the store, not to hold the import
        result = w.tracker("import")
        assert result.exit_code == 1, result.output
        assert result.stderr == (
            "error: the disk is full (the database could not grow); free some space and run "
            "the command again. The transaction was rolled back: the store is as it was.\n"
        )
        os.remove(small / "filler")
        assert w.history() == before


def _fill_leaving(folder: Path, room: int) -> None:
    free = shutil.disk_usage(folder).free
    with (folder / "filler").open("ab") as fh:
        fh.write(b"\0" * max(0, free - room))


# ------------------------------------------------------------------ 11. stale temporary folders


def test_run_removes_what_killed_runs_left(sqlite_world: World) -> None:
    reports = sqlite_world.dir / "reports"
    stale = reports / f".{AS_OF}.tmp-0123456789ab"
    stale.mkdir()
    (stale / "gap-report.md").write_text("half")
    fresh = reports / ".2026-11-30.tmp-abcdef012345"  # maybe a run in flight elsewhere
    fresh.mkdir()
    foreign = reports / ".notes.tmp-0123"  # the name fits, the content is not a report: kept
    foreign.mkdir()
    (foreign / "mine.txt").write_text("x")
    two_hours_ago = time.time() - 7200
    for p in (stale, foreign):
        os.utime(p, (two_hours_ago, two_hours_ago))
    assert sqlite_world.tracker("run", "--as-of", AS_OF, "--no-import").exit_code == 0
    assert not stale.exists()
    assert fresh.exists() and (foreign / "mine.txt").exists()


# ---------------------------------------------------- 4 and 7 at the door (issue 8 rules)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("communes,2024,1e308,communes,s,,,",
         'actuals/more.csv:2: value: "1e308" is too large to be a reading (the limit is 1e+15 '
         "in size); check the figure"),
        ("communes,2024,90,communes,a\x00b,,,",
         "actuals/more.csv:2: source: contains the control character U+0000 at position 2; "
         "remove it (only tab is allowed)"),
        ("communes,2024,90,communes,s,,,x\x1b[2Jy",
         "actuals/more.csv:2: note: contains the control character U+001B at position 2; "
         "remove it (only tab is allowed)"),
    ],
    ids=["1e308", "nul-in-source", "escape-in-note"],
)
def test_absurd_values_and_control_characters_are_refused_at_the_door(
    world: World, row: str, message: str
) -> None:
    (world.dir / "actuals" / "more.csv").write_text(HEADER + row + "\n")
    refused(
        world,
        ("import",),
        2,
        message + "\n1 file(s) refused; nothing was imported from them. Fix the rows listed "
        "and run `tracker import` again.\n",
    )
