"""Reading files (CSV): every bad row is listed at once as `file:line: what is wrong`, and a
file with any bad row imports nothing. Real files on disk, the shipped programme, and a
real SQLite store for the "nothing imported" checks.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.errors import ReadingsFileError
from tracker.store.database import open_store
from tracker.store.queries import list_readings
from tracker.store.readingfile import parse_reading_text, read_reading_file
from tracker.store.sync import sync_files

HEADER = "indicator,date,value,unit,source,area,qualifier,note\n"
SUMMARY = "{}: nothing was imported from this file; fix the rows above and import it again"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, program) -> list[str]:
    """The lines of the error a bad file raises (the summary line last)."""
    with pytest.raises(ReadingsFileError) as e:
        read_reading_file(path, program, display=path.name)
    return str(e.value).splitlines()


# --- good files -------------------------------------------------------------------------


def test_the_shipped_reading_file_is_valid(program):
    root = Path(__file__).resolve().parent.parent
    rows = read_reading_file(root / "actuals" / "quang-ninh-ntm-2025.csv", program)
    by_key = {r.indicator: r for r in rows}
    assert len(rows) == 16
    income = by_key["rural_income"]
    assert (income.period_date, income.value, income.unit) == (
        date(2024, 12, 31), 84.14, "million VND/person/year")
    assert income.area == "Quảng Ninh"  # empty area: the programme's region
    assert income.line == 8
    assert by_key["districts_completed_ntm"].value == 1.0
    assert by_key["ethnic_minority_programme_capital"].qualifier == "more_than"
    assert by_key["vbsp_entrusted_capital"].qualifier == "almost"


def test_blank_lines_are_ignored_and_line_numbers_stay_physical(tmp_path, program):
    path = write(tmp_path, "r.csv", "indicator,date,value,unit,source\n\n"
                 "communes,2025-06,91,communes,src\n   \n,,,,\n"
                 "ntm_communes,2025-06,91,communes,src\n\n")
    rows = read_reading_file(path, program)
    assert [(r.indicator, r.line) for r in rows] == [("communes", 3), ("ntm_communes", 6)]


def test_columns_in_any_order_any_case_and_a_bom(tmp_path, program):
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffSource, Unit ,VALUE,Date,Indicator\n"
                     "src,communes,91,2025,communes\n".encode())
    [row] = read_reading_file(path, program)
    assert (row.indicator, row.period_date, row.value, row.unit, row.source) == (
        "communes", date(2025, 12, 31), 91.0, "communes", "src")


def test_a_milestone_row_may_leave_its_unit_empty(tmp_path, program):
    path = write(tmp_path, "r.csv", "indicator,date,value,unit,source\n"
                 "districts_completed_ntm,2025-06,yes,,src\n")
    [row] = read_reading_file(path, program)
    assert (row.value, row.unit) == (1.0, "yes/no")


# --- the header ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("indicator,date,value,unit", "bad header: missing column(s) source"),
        ("indicator,date,value,unit,source,colour",
         "bad header: unknown column(s) colour (allowed: indicator, date, value, unit, source, "
         "area, qualifier, note, confirmed)"),
        ("indicator,date,value,value,unit,source", "bad header: repeated column(s) value"),
        ("indicator,when,value,unit,source",
         "bad header: missing column(s) date; unknown column(s) when (allowed: indicator, "
         "date, value, unit, source, area, qualifier, note, confirmed)"),
    ],
)
def test_header_problems(tmp_path, program, header, message):
    path = write(tmp_path, "h.csv", header + "\ncommunes,2025,91,communes,src\n")
    assert problems(path, program) == [f"h.csv:1: {message}"]


def test_an_empty_file_needs_a_header(tmp_path, program):
    path = write(tmp_path, "e.csv", "")
    assert problems(path, program) == [
        "e.csv:1: the file is empty; it needs the header indicator,date,value,unit,source"]


# --- bad rows: each kind, all listed at once ----------------------------------------------

BAD_ROWS = [
    ("ghost,2025,1,communes,src,,,",
     'indicator: unknown indicator "ghost"; it must be a key under indicators: in {targets}'),
    ("communes,2025-13,91,communes,src,,,",
     'date: "2025-13" is not a real date (check the month and day)'),
    ("communes,June 2025,91,communes,src,,,",
     'date: "June 2025" is not a date; write YYYY-MM-DD, YYYY-MM or YYYY'),
    ('rural_income,2024,"84,14",million VND/person/year,src,,,',
     'value: "84,14" is not a number; write it with "." as the decimal mark and no thousands '
     'separator (read Vietnamese-style it is 84.14: write 84.14, or give --locale vi to '
     'tracker add / correct)'),
    ("model_province,2025,5,yes/no,src,,,",
     'value: "5" is not yes or no (this indicator is a milestone)'),
    ("communes,2024,yes,communes,src,,,",
     'value: "yes" is yes/no, but "communes" is a number indicator (unit communes); '
     "give a number"),
    ("communes,2023,90,households,src,,,",
     'unit: "households" counts something else than "communes", the unit of "communes"'),
    ("rural_income,2023,80,percent,src,,,",
     'unit: "percent" cannot be converted to "USD/person/year", the unit of "rural_income"'),
    ("rural_income,2022,80,million VND,src,,,",
     'unit: "million VND" cannot be converted to "USD/person/year", the unit of '
     '"rural_income" ("no /… tail" vs "/person/year")'),
    ("communes,2022,90,communes,,,,",
     "source: the source is empty; say where the figure comes from"),
    ("communes,2021,90,communes,src,,roughly,",
     'qualifier: "roughly" must be one of more_than, less_than, about, almost or empty'),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS, ids=[m[:30] for _, m in BAD_ROWS])
def test_each_kind_of_bad_field(tmp_path, program, row, message):
    path = write(tmp_path, "bad.csv", HEADER + "communes,2025-06,91,communes,good row,,,\n"
                 + row + "\n")
    assert problems(path, program) == [
        "bad.csv:3: " + message.format(targets=program.source_path), SUMMARY.format("bad.csv")]


def test_every_bad_row_is_listed_at_once_in_line_order(tmp_path, program):
    lines = [HEADER.rstrip("\n"), "communes,2025-06,91,communes,good,,,"]
    lines += [row for row, _ in BAD_ROWS]
    lines.insert(5, "")  # a blank line in the middle shifts nothing but the physical count
    path = write(tmp_path, "bad.csv", "\n".join(lines) + "\n")
    got = problems(path, program)
    expected_lines = [i + 1 for i, text in enumerate(lines) if text and i >= 2]
    assert [p.split(":")[1] for p in got[:-1]] == [str(n) for n in expected_lines]
    assert got[-1] == SUMMARY.format("bad.csv")
    assert len(got) == len(BAD_ROWS) + 1


def test_a_row_with_several_mistakes_lists_each(tmp_path, program):
    path = write(tmp_path, "bad.csv", HEADER + "communes,2025-02-30,many,parsecs,,,maybe,\n")
    assert problems(path, program)[:-1] == [
        'bad.csv:2: date: "2025-02-30" is not a real date (check the month and day)',
        'bad.csv:2: value: "many" is not a number; write it with "." as the decimal mark and '
        "no thousands separator",
        'bad.csv:2: unit: "parsecs" counts something else than "communes", the unit of '
        '"communes"',
        "bad.csv:2: source: the source is empty; say where the figure comes from",
        'bad.csv:2: qualifier: "maybe" must be one of more_than, less_than, about, almost or '
        "empty",
    ]


def test_the_same_key_twice_names_both_lines(tmp_path, program):
    path = write(tmp_path, "dup.csv", HEADER
                 + "communes,2025-06,91,communes,first,,,\n"
                 + "ntm_communes,2025-06,91,communes,other,,,\n"
                 + "communes,2025-06-30,90,communes,second,Quảng Ninh,,\n")
    # "2025-06" and "2025-06-30" are the same day; an empty area is the programme's region.
    assert problems(path, program)[:-1] == [
        "dup.csv:4: communes for Quảng Ninh on 2025-06-30 is already given at line 2; keep "
        "one row per indicator, area and date"]


def test_the_same_indicator_and_date_in_two_areas_is_fine(tmp_path, program):
    path = write(tmp_path, "areas.csv", HEADER
                 + "communes,2025-06,91,communes,src,Hạ Long,,\n"
                 + "communes,2025-06,12,communes,src,Cô Tô,,\n")
    assert [r.area for r in read_reading_file(path, program)] == ["Hạ Long", "Cô Tô"]


@pytest.mark.parametrize(("row", "n"), [("communes,2025,91,communes,src", 5),
                                        ("communes,2025,91,communes,src,,,,extra", 9)])
def test_a_wrong_field_count(tmp_path, program, row, n):
    path = write(tmp_path, "f.csv", HEADER + row + "\n")
    assert problems(path, program)[:-1] == [
        f"f.csv:2: has {n} fields, the header has 8; check for a missing or extra comma "
        "(quote values that contain commas)"]


def test_bytes_that_are_not_utf8_give_their_line(tmp_path, program):
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + b"communes,2025,91,communes,src,,,\n"
                     b"communes,2024,90,communes,Qu\xe1ng Ninh report,,,\n")
    assert problems(path, program) == [
        "latin1.csv:3: is not UTF-8 text; save the file as CSV UTF-8"]


def test_a_row_spanning_two_lines_is_reported_at_its_first_line(tmp_path, program):
    # A quoted note may hold a line break; the row still starts on line 2, which is
    # where a person opening the file must look.
    path = write(tmp_path, "multi.csv", HEADER
                 + 'ghost,2025,1,communes,src,,,"first line\nsecond line"\n')
    assert problems(path, program)[:-1] == [
        f'multi.csv:2: indicator: unknown indicator "ghost"; it must be a key under indicators: in '
        f"{program.source_path}"]


def test_parse_reading_text_uses_the_given_file_name(program):
    with pytest.raises(ReadingsFileError) as e:
        parse_reading_text("indicator,date,value,unit,source\nghost,2025,1,x,s\n",
                           "where/it.csv", program)
    assert [(p.file, p.line, p.col) for p in e.value.problems] == [("where/it.csv", 2, None)]


# --- nothing is imported from a bad file ----------------------------------------------------


def test_a_bad_file_imports_nothing_and_other_files_still_import(tmp_path, program,
                                                                sqlite_url):
    engine = open_store(sqlite_url)
    good = write(tmp_path, "a-good.csv", HEADER + "communes,2025-06,91,communes,src,,,\n")
    bad = write(tmp_path, "b-bad.csv", HEADER + "ntm_communes,2025-06,91,communes,src,,,\n"
                + "advanced_ntm_communes,2025-06,54,communes,src,,,\n"
                + "ghost,2025,1,communes,src,,,\n")
    results = sync_files(engine, program, [good, bad], tmp_path)
    assert [(r.ok, r.added) for r in results] == [(True, 1), (False, 0)]
    assert [str(p) for p in results[1].problems] == [
        f'{bad}:4: indicator: unknown indicator "ghost"; it must be a key under indicators: in '
        f"{program.source_path}"]
    assert [r["indicator"] for r in list_readings(engine, history=True)] == ["communes"]


def test_a_full_row_of_spaces_is_blank_but_one_with_an_empty_first_field_is_checked(
    tmp_path, program
):
    path = write(tmp_path, "r.csv", "indicator,date,value,unit,source\n"
                 " , ,  ,,\n"
                 ",2025-06,91,communes,src\n"
                 "  ,2025-07,91,communes,src\n"
                 "communes,2025-06,91,communes,src\n"
                 ",,,,\n")
    listed = problems(path, program)[:-1]
    assert [line.split(":")[1] for line in listed] == ["3", "4"]
    assert all(": indicator: " in line for line in listed)
