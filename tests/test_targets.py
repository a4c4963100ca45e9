"""targets.yaml: the shipped file validates; broken copies report every problem at once,
each as `file:line:col: message`, and `tracker validate` exits 2.

Positions are never typed by hand: `at(text, needle)` computes line:col (1-based) from the
YAML text the test writes, so a test cannot agree with a wrong column by accident.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker.cli import app
from tracker.errors import TargetsFileError
from tracker.targets import load_program

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def at(text: str, needle: str, offset: int = 0) -> str:
    """'line:col' of the one occurrence of `needle` in `text` (plus `offset` characters)."""
    assert text.count(needle) == 1, f"{needle!r} must occur once in the test's YAML"
    i = text.index(needle) + offset
    line = text.count("\n", 0, i) + 1
    col = i - (text.rfind("\n", 0, i) + 1) + 1
    return f"{line}:{col}"


def line_of(text: str, needle: str) -> int:
    return int(at(text, needle).split(":")[0])


def validate(path: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["validate", path])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- the shipped programme ------------------------------------------------------------------


def test_the_shipped_targets_file_validates(monkeypatch: pytest.MonkeyPatch):
    # The shipped readings folder is read relative to the working folder: stand in the repo,
    # whatever folder an earlier test left the process in.
    monkeypatch.chdir(ROOT)
    program = load_program(ROOT / "targets.yaml")
    code, out, err = validate(str(ROOT / "targets.yaml"))
    assert (code, err) == (0, "")
    assert out.startswith(
        f"{ROOT / 'targets.yaml'}: OK — {program.name}: {len(program.indicators)} "
        f"indicators, {len(program.targets)} targets, "
        f"{len(program.exchange_rates)} exchange rates; ")
    assert out.endswith(" readings OK\n")  # and the reading files of the readings folder


def test_the_shipped_programme_is_read_into_typed_goals(program):
    from datetime import date

    income = program.indicators["rural_income"]
    assert income.unit == "USD/person/year"
    assert [(t.deadline, t.comparator, t.value, t.stretch) for t in income.targets] == [
        (date(2025, 12, 31), "more_than", 5000.0, None),
        (date(2030, 12, 31), "at_least", 8000.0, 10000.0),
    ]
    assert program.indicators["ntm_share"].ratio_of == ("ntm_communes", "communes")
    assert program.indicators["model_province"].kind == "milestone"
    assert program.indicators["model_province"].targets[0].value == 1.0
    assert program.timezone == "Asia/Ho_Chi_Minh"


# --- every problem at once -------------------------------------------------------------------

BROKEN = """\
program: Test programme
region: Somewhere
timezone: Mars/Olympus
schedule: "61 * * * *"
colour: blue
exchange_rates:
  - {from: USD, to: VND, year: 2024, rate: 25000, source: test rate}
indicators:
  income:
    unit: million VND/person/year
    targets:
      - {by: 2025, at_least: "84,14"}
      - {by: 2030, at_least: 100, stretch: 90}
      - {by: 2031, at_most: 50, stretch: 60}
  pupils:
    unit: pupils
    targets:
      - {by: 2030, at_least: 10}
      - {by: 2030, at_least: 12}
      - {by: 2031, at_least: 1, at_most: 2}
      - {by: 2032}
      - {by: 2033-13, at_least: 5}
      - {by: 2034, at_least: lots}
  water:
    unit: furlongs/fortnight
  share:
    unit: percent
    ratio_of: {numerator: ghosts, denominator: households}
  households:
    unit: households
  schools:
    unit: schools
    targets:
      - {by: 2030, done: true}
  bridge:
    kind: milestone
    targets:
      - {by: 2030, done: 5}
      - {by: 2031, at_least: 1}
"""


def test_every_problem_is_reported_at_once_with_its_line_and_column(here):
    (here / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    t = BROKEN
    expected = [
        f'broken.yaml:{at(t, "Mars/Olympus")}: unknown timezone "Mars/Olympus"; use an IANA '
        "name such as Asia/Ho_Chi_Minh",
        f'broken.yaml:{at(t, chr(34) + "61 ")}: "61 * * * *" is not a cron expression '
        "(Error validating expression '61': the last value (61) is higher than the maximum "
        'value (59)); write 5 fields (minute hour day month weekday, e.g. "0 6 1 * *") or 6 '
        'with seconds first (e.g. "*/10 * * * * *")',
        f'broken.yaml:{at(t, "colour")}: unknown key "colour" in the targets file; expected '
        "one of: assessment, catch_up, exchange_rates, indicators, lang, notify, program, "
        "region, schedule, split_year_end, timezone, web",
        f'broken.yaml:{at(t, chr(34) + "84,14")}: "at_least" must be a number, not "84,14" '
        '(write numbers plainly with "." as the decimal mark, e.g. 84.14 or 2240)',
        f"broken.yaml:{at(t, 'stretch: 90', 9)}: stretch 90 is on the wrong side of the goal "
        "100: it must be above it",
        f"broken.yaml:{at(t, 'stretch: 60', 9)}: stretch 60 is on the wrong side of the goal "
        "50: it must be below it",
        f"broken.yaml:{at(t, '{by: 2030, at_least: 12}')}: indicator \"pupils\" has two "
        f"targets for 2030-12-31 (the other at line {line_of(t, '{by: 2030, at_least: 10}')}); "
        "keep one, or give it a stretch value",
        f"broken.yaml:{at(t, '{by: 2031, at_least: 1, at_most')}: a target of \"pupils\" needs "
        "exactly one of at_least, more_than, at_most, less_than, equals, done, improve "
        "(it has at_least, at_most)",
        f"broken.yaml:{at(t, '{by: 2032}')}: a target of \"pupils\" needs exactly one of "
        "at_least, more_than, at_most, less_than, equals, done, improve",
        f'broken.yaml:{at(t, "2033-13")}: "by" of a target of "pupils": "2033-13" is not a '
        "real date (check the month and day)",
        f'broken.yaml:{at(t, "lots")}: "at_least" must be a number, not "lots"',
        f'broken.yaml:{at(t, "furlongs")}: cannot read the unit "furlongs/fortnight": a scale '
        'or "/..." tail needs a currency (VND, đồng, USD)',
        f'broken.yaml:{at(t, "{numerator: ghosts")}: "ratio_of" of indicator "share" names '
        '"ghosts", which is not an indicator in this file',
        f'broken.yaml:{at(t, "done: true", 6)}: "done" is for milestones; add "kind: '
        'milestone" to indicator "schools" or use at_least / at_most',
        f'broken.yaml:{at(t, "done: 5", 6)}: "done" of a milestone must be yes/true or '
        'no/false, not "5"',
        f'broken.yaml:{at(t, "{by: 2031, at_least: 1}", 21)}: indicator "bridge" is a '
        'milestone: its target is "done: true"',
    ]
    code, out, err = validate("broken.yaml")
    assert code == 2
    assert out == ""
    assert err.splitlines() == expected


def test_load_program_raises_one_error_holding_every_problem(here):
    (here / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    with pytest.raises(TargetsFileError) as e:
        load_program("broken.yaml")
    assert len(e.value.problems) == 16
    assert all(p.file == "broken.yaml" and p.line and p.col for p in e.value.problems)


def test_a_ratio_of_an_indicator_with_its_own_mistake_reports_only_that_mistake(here):
    # "communes" is declared; only its target is wrong. Saying that "communes" is not an
    # indicator in this file would send the user looking for the wrong mistake.
    text = """\
program: P
region: R
indicators:
  share:
    unit: percent
    ratio_of: {numerator: done_communes, denominator: communes}
  done_communes:
    unit: communes
  communes:
    unit: communes
    targets:
      - {by: 2030, at_least: many}
"""
    (here / "t.yaml").write_text(text, encoding="utf-8")
    code, _, err = validate("t.yaml")
    assert code == 2
    assert err.splitlines() == [
        f't.yaml:{at(text, "many")}: "at_least" must be a number, not "many"',
    ]


# --- duplicate keys, syntax, empty, missing ------------------------------------------------


def test_a_duplicate_key_is_reported_where_the_second_one_is(here):
    text = "program: A\nregion: R\nprogram: B\nindicators:\n  x: {unit: percent}\n"
    (here / "dup.yaml").write_text(text, encoding="utf-8")
    code, _, err = validate("dup.yaml")
    assert code == 2
    assert err == 'dup.yaml:3:1: duplicate key "program" (first at line 1); keep one of them\n'


def test_a_duplicate_indicator_is_reported_at_its_key(here):
    text = ("program: A\nregion: R\nindicators:\n  x: {unit: percent}\n  y: {unit: works}\n"
            "  x: {unit: communes}\n")
    (here / "dup.yaml").write_text(text, encoding="utf-8")
    code, _, err = validate("dup.yaml")
    assert code == 2
    assert err == 'dup.yaml:6:3: duplicate key "x" (first at line 4); keep one of them\n'


def test_a_duplicate_key_does_not_hide_the_other_problems(here):
    text = ("program: A\nregion: R\nregion: S\ncolour: blue\nindicators:\n"
            "  x: {unit: percent}\n")
    (here / "dup.yaml").write_text(text, encoding="utf-8")
    code, _, err = validate("dup.yaml")
    assert code == 2
    assert err.splitlines() == [
        'dup.yaml:3:1: duplicate key "region" (first at line 2); keep one of them',
        'dup.yaml:4:1: unknown key "colour" in the targets file; expected one of: assessment, '
        "catch_up, exchange_rates, indicators, lang, notify, program, region, schedule, "
        "split_year_end, timezone, web",
    ]


def test_a_yaml_syntax_error_gives_its_position(here):
    text = "program: A\nregion: [R\nindicators: {}\n"
    (here / "syntax.yaml").write_text(text, encoding="utf-8")
    code, _, err = validate("syntax.yaml")
    assert code == 2
    assert err == (f"syntax.yaml:{at(text, ': {}')}: this is not valid YAML: expected ',' or "
                   "']', but got ':'\n")


@pytest.mark.parametrize("content", ["", "# nothing but a comment\n", "\n\n"])
def test_an_empty_file_is_refused(here, content):
    (here / "empty.yaml").write_text(content, encoding="utf-8")
    code, _, err = validate("empty.yaml")
    assert code == 2
    assert err == ("empty.yaml:1:1: the targets file is empty; it needs program, region and "
                   "indicators\n")


def test_a_missing_file_is_refused(here):
    code, out, err = validate("nope.yaml")
    assert (code, out) == (2, "")
    assert err == ("nope.yaml: the targets file does not exist; create it or point "
                   "TRACKER_TARGETS / --targets at it\n")


def test_a_file_that_is_not_utf8_gives_the_line_of_the_bad_byte(here):
    (here / "latin1.yaml").write_bytes("program: A\nregion: Qu\u1ea3ng\nname: caf\xe9\n"
                                       .encode("utf-8").replace(b"caf\xc3\xa9", b"caf\xe9"))
    code, _, err = validate("latin1.yaml")
    assert code == 2
    assert err == "latin1.yaml:3: is not UTF-8 text; save it as UTF-8\n"


def test_missing_program_region_and_indicators_are_each_named(here):
    (here / "bare.yaml").write_text("lang: en\n", encoding="utf-8")
    code, _, err = validate("bare.yaml")
    assert code == 2
    assert err.splitlines() == [
        'bare.yaml:1:1: the targets file has no "program"; add it',
        'bare.yaml:1:1: the targets file has no "region"; add it',
        'bare.yaml:1:1: the targets file has no "indicators"; add at least one',
    ]
