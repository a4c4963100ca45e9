"""The ledger of readings, on a real SQLite file AND the real PostgreSQL (`store_url`):
imports are idempotent syncs, corrections and retractions keep full history, bad or
interrupted imports leave the store exactly as it was, and the readings frame answers
"as of D, as known at T".
"""

from __future__ import annotations

import io
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select, text

from tracker.errors import BadValue, UnknownReading
from tracker.store.database import open_store
from tracker.store.export import write_export
from tracker.store.ledger import add_reading, correct_reading, retract_reading
from tracker.store.queries import list_readings, readings_frame
from tracker.store.readingfile import RowData
from tracker.store.record import ReadingRefused, record_reading
from tracker.store.sync import sync_files
from tracker.store.tables import imported_file
from tracker.targets import parse_program

ROOT = Path(__file__).resolve().parent.parent
HEADER = "indicator,date,value,unit,source\n"

PROGRAM_YAML = """\
program: Test programme
region: R
exchange_rates:
  - {from: USD, to: VND, year: 2024, rate: 25000, source: test rate}
indicators:
  income: {unit: USD/person/year, targets: [{by: 2030, at_least: 8000}]}
  communes: {unit: communes}
  ntm_communes: {unit: communes}
  ntm_share:
    unit: percent
    ratio_of: {numerator: ntm_communes, denominator: communes}
    targets: [{by: 2030, at_least: 100}]
"""


@pytest.fixture
def prog():
    return parse_program(PROGRAM_YAML, "t.yaml")


@pytest.fixture
def engine(store_url):
    eng = open_store(store_url)
    yield eng
    eng.dispose()


@pytest.fixture
def actuals(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "actuals"
    folder.mkdir()
    return folder


def snapshot(engine) -> str:
    """Everything the store holds, as `tracker export --history` writes it."""
    out = io.StringIO()
    write_export(engine, out, history=True)
    return out.getvalue()


def row(indicator: str, day: date, value: float, unit: str = "communes", **kw) -> RowData:
    return RowData(indicator, kw.pop("area", "R"), day, value, unit, kw.pop("source", "s"), **kw)


def sync(engine, prog, folder: Path, name: str = "r.csv"):
    [result] = sync_files(engine, prog, [folder / name], folder)
    return result


def states(engine) -> list[tuple]:
    return [
        (r["id"], r["value"], r["state"], r["revision_of"])
        for r in sorted(list_readings(engine, history=True), key=lambda r: r["id"])
    ]


# --- import is a sync ---------------------------------------------------------------------


def test_importing_twice_changes_nothing_and_says_unchanged(engine, prog, actuals):
    (actuals / "r.csv").write_text(
        HEADER + "communes,2025,91,communes,a\nntm_communes,2025,54,communes,b\n", encoding="utf-8"
    )
    first = sync(engine, prog, actuals)
    assert (first.added, first.corrected, first.retracted, first.skipped) == (2, 0, 0, False)
    before = snapshot(engine)
    second = sync(engine, prog, actuals)
    assert (second.file, second.added, second.unchanged, second.skipped) == (
        "actuals/r.csv",
        0,
        2,
        True,
    )
    assert snapshot(engine) == before
    assert [
        (r["indicator"], r["value"], r["source_file"], r["source_line"])
        for r in list_readings(engine)
    ] == [("communes", 91.0, "r.csv", 2), ("ntm_communes", 54.0, "r.csv", 3)]


def test_a_touched_but_identical_file_changes_nothing(engine, prog, actuals):
    path = actuals / "r.csv"
    content = HEADER + "communes,2025,91,communes,a\n"
    path.write_text(content, encoding="utf-8")
    sync(engine, prog, actuals)
    before = snapshot(engine)
    path.write_text(content, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    result = sync(engine, prog, actuals)
    assert (result.skipped, result.unchanged, result.added, result.corrected) == (True, 1, 0, 0)
    assert snapshot(engine) == before


def test_a_changed_row_becomes_a_correction(engine, prog, actuals):
    path = actuals / "r.csv"
    path.write_text(
        HEADER + "communes,2025,91,communes,a\nntm_communes,2025,50,communes,b\n", encoding="utf-8"
    )
    sync(engine, prog, actuals)
    [old_id] = [r["id"] for r in list_readings(engine) if r["indicator"] == "ntm_communes"]
    path.write_text(
        HEADER + "communes,2025,91,communes,a\nntm_communes,2025,54,communes,b\n", encoding="utf-8"
    )
    result = sync(engine, prog, actuals)
    assert (result.added, result.corrected, result.retracted, result.unchanged) == (0, 1, 0, 1)
    history = {r["id"]: r for r in list_readings(engine, history=True)}
    [new] = [r for r in history.values() if r["revision_of"] == old_id]
    assert (new["value"], new["state"]) == (54.0, "current")
    old = history[old_id]
    assert (old["value"], old["state"], old["end_reason"]) == (
        50.0,
        "superseded",
        "changed in actuals/r.csv",
    )
    assert old["ended_at"] == new["recorded_at"]


def test_a_removed_row_is_retracted(engine, prog, actuals):
    path = actuals / "r.csv"
    path.write_text(
        HEADER + "communes,2025,91,communes,a\nntm_communes,2025,54,communes,b\n", encoding="utf-8"
    )
    sync(engine, prog, actuals)
    path.write_text(HEADER + "communes,2025,91,communes,a\n", encoding="utf-8")
    result = sync(engine, prog, actuals)
    assert (result.added, result.corrected, result.retracted, result.unchanged) == (0, 0, 1, 1)
    [gone] = [r for r in list_readings(engine, history=True) if r["indicator"] == "ntm_communes"]
    assert (gone["state"], gone["value"], gone["end_reason"]) == (
        "retracted",
        54.0,
        "removed from actuals/r.csv",
    )
    assert [r["indicator"] for r in list_readings(engine)] == ["communes"]


def test_a_file_whose_last_row_is_bad_imports_none_of_the_rows_before_it(engine, prog, actuals):
    (actuals / "old.csv").write_text(HEADER + "communes,2020,80,communes,a\n", encoding="utf-8")
    sync(engine, prog, actuals, "old.csv")
    before = snapshot(engine)
    good = "".join(f"communes,{2000 + i},{i},communes,s\n" for i in range(10))
    (actuals / "r.csv").write_text(HEADER + good + "communes,2015,91,parsecs,s\n", encoding="utf-8")
    result = sync(engine, prog, actuals)
    assert [str(p) for p in result.problems] == [
        'actuals/r.csv:12: unit: "parsecs" counts something else than "communes", the unit of '
        '"communes"'
    ]
    assert snapshot(engine) == before


def test_a_key_already_recorded_elsewhere_is_refused_on_import(engine, prog, actuals):
    # One current reading per (indicator, area, date): `add` enforces it, and an import
    # must not slip a second current reading in beside the one typed in.
    rid = add_reading(engine, row("communes", date(2025, 12, 31), 90), by="test")
    before = snapshot(engine)
    (actuals / "r.csv").write_text(HEADER + "communes,2025,91,communes,file\n", encoding="utf-8")
    result = sync(engine, prog, actuals)
    assert not result.ok
    assert [(p.file, p.line) for p in result.problems] == [("actuals/r.csv", 2)]
    assert f"reading {rid}" in result.problems[0].message
    assert snapshot(engine) == before


# --- add / correct / retract ----------------------------------------------------------------


def test_add_correct_retract_keep_full_history(engine, prog):
    rid = add_reading(engine, row("communes", date(2024, 12, 31), 90), by="t")
    new_id = correct_reading(engine, prog, rid, {"value": "91", "reason": "typo"}, by="t")
    retract_reading(engine, new_id, reason="double-counted", by="t")
    assert states(engine) == [(rid, 90.0, "superseded", None), (new_id, 91.0, "retracted", rid)]
    history = {r["id"]: r for r in list_readings(engine, history=True)}
    assert history[rid]["end_reason"] == "typo (t)"
    assert history[new_id]["end_reason"] == "double-counted (t)"
    assert list_readings(engine) == []


def test_correct_in_vietnamese_style(engine, prog):
    rid = add_reading(engine, row("income", date(2024, 12, 31), 3000, "USD/person/year"), by="t")
    new_id = correct_reading(engine, prog, rid, {"value": "3.365,6"}, by="t", locale="vi")
    [current] = list_readings(engine)
    assert (current["id"], current["value"], current["revision_of"]) == (new_id, 3365.6, rid)


def test_correcting_a_superseded_reading_names_the_newer_one(engine, prog):
    rid = add_reading(engine, row("communes", date(2024, 12, 31), 90), by="t")
    new_id = correct_reading(engine, prog, rid, {"value": "91"}, by="t")
    before = snapshot(engine)
    with pytest.raises(UnknownReading) as e:
        correct_reading(engine, prog, rid, {"value": "92"}, by="t")
    assert str(e.value) == (
        f"reading {rid} was already corrected (by reading {new_id}); "
        f"correct reading {new_id} instead"
    )
    assert snapshot(engine) == before


def test_a_retracted_or_missing_reading_cannot_be_corrected(engine, prog):
    rid = add_reading(engine, row("communes", date(2024, 12, 31), 90), by="t")
    retract_reading(engine, rid, reason="wrong", by="t")
    [ended] = [r["ended_at"] for r in list_readings(engine, history=True)]
    with pytest.raises(UnknownReading) as e:
        correct_reading(engine, prog, rid, {"value": "92"}, by="t")
    assert str(e.value) == (
        f"reading {rid} was retracted on {ended:%Y-%m-%d %H:%M} UTC; add a new reading instead"
    )
    with pytest.raises(UnknownReading) as e:
        retract_reading(engine, 999, reason="x", by="t")
    assert str(e.value) == "there is no reading 999; `tracker readings` lists them with their ids"


def test_a_file_imported_reading_is_corrected_by_editing_the_file(engine, prog, actuals):
    (actuals / "r.csv").write_text(
        HEADER + "ntm_communes,2025,54,communes,a\ncommunes,2025,91,communes,a\n", encoding="utf-8"
    )
    sync(engine, prog, actuals)
    [rid] = [r["id"] for r in list_readings(engine) if r["indicator"] == "communes"]
    before = snapshot(engine)
    with pytest.raises(BadValue) as e:
        correct_reading(engine, prog, rid, {"value": "92"}, by="t")
    assert str(e.value) == (
        f"reading {rid} cannot be corrected here: it comes from line 3 of the reading file "
        "r.csv: edit that line (or delete it) and run `tracker import`, so the file and the "
        "store stay the same"
    )
    with pytest.raises(BadValue) as e:
        retract_reading(engine, rid, reason="x", by="t")
    assert str(e.value).startswith(
        f"reading {rid} cannot be retracted here: it comes from line 3 of the reading file "
        "r.csv: edit that line"
    )
    assert snapshot(engine) == before


def fields(indicator: str, day: str, value: str) -> dict[str, str]:
    return {"indicator": indicator, "date": day, "value": value, "source": "s"}


def test_a_second_current_reading_for_the_same_key_is_refused(engine, prog, actuals):
    rid = record_reading(engine, prog, fields("communes", "2024", "90"), by="t").id
    with pytest.raises(ReadingRefused) as e:
        record_reading(engine, prog, fields("communes", "2024-12-31", "91"), by="t")
    assert str(e.value) == (
        f"date: communes for R on 2024-12-31 is already recorded as reading {rid}; "
        f"to change it use `tracker correct {rid} VALUE`"
    )
    assert [(p.field, p.held) for p in e.value.field_problems] == [("date", False)]
    (actuals / "r.csv").write_text(HEADER + "ntm_communes,2025,54,communes,a\n", encoding="utf-8")
    sync(engine, prog, actuals)
    [fid] = [r["id"] for r in list_readings(engine) if r["indicator"] == "ntm_communes"]
    before = snapshot(engine)
    with pytest.raises(ReadingRefused) as e:
        record_reading(engine, prog, fields("ntm_communes", "2025", "55"), by="t")
    assert str(e.value) == (
        f"date: ntm_communes for R on 2025-12-31 is already recorded as reading {fid}; it "
        "comes from line 2 of the reading file r.csv: edit that line (or delete it) and run "
        "`tracker import`, so the file and the store stay the same"
    )
    assert snapshot(engine) == before


# --- an import killed halfway ---------------------------------------------------------------


def _well_into_writing(engine, db_file: Path | None) -> bool:
    """True once about a third of the 200,000 rows are written but not committed: past
    the first 50,000-row batch, so an import committing batch by batch would be caught."""
    if db_file is not None:  # SQLite: uncommitted pages spill into the WAL (~60 MB in all)
        wal = db_file.with_name(db_file.name + "-wal")
        return wal.exists() and wal.stat().st_size > 20_000_000
    with engine.connect() as conn:  # PostgreSQL: the heap grows with uncommitted rows (~35 MB)
        size = conn.execute(text("SELECT pg_relation_size('reading')")).scalar()
    return bool(size and size > 12_000_000)


@pytest.mark.slow
def test_an_import_killed_while_writing_leaves_the_store_unchanged(store_url, tmp_path):
    engine = open_store(store_url)
    folder = tmp_path / "actuals"
    folder.mkdir()
    (folder / "small.csv").write_text(HEADER + "communes,2025,91,communes,a\n", encoding="utf-8")
    program = parse_program((ROOT / "targets.yaml").read_text(encoding="utf-8"))
    sync_files(engine, program, [folder / "small.csv"], folder)
    before = snapshot(engine)
    start = date(1000, 1, 1)
    with open(tmp_path / "big.csv", "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(200_000):
            fh.write(f"communes,{start + timedelta(days=i)},{i},communes,generated {i}\n")
    tracker = shutil.which("tracker") or str(Path(sys.executable).parent / "tracker")
    proc = subprocess.Popen(
        [
            tracker,
            "--database",
            store_url,
            "--targets",
            str(ROOT / "targets.yaml"),
            "--actuals",
            str(folder),
            "import",
            str(tmp_path / "big.csv"),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    db_file = Path(store_url[len("sqlite:///") :]) if store_url.startswith("sqlite") else None
    deadline = time.monotonic() + 120
    try:
        while not _well_into_writing(engine, db_file):
            assert proc.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    engine.dispose()
    engine = open_store(store_url)
    assert snapshot(engine) == before
    with engine.connect() as conn:  # the next import must not skip the file as "unchanged"
        assert conn.execute(select(imported_file.c.path)).scalars().all() == ["small.csv"]
    engine.dispose()


# --- readings as of D, as known at T ------------------------------------------------------------


def _moment(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_as_of_excludes_readings_dated_later(engine, prog):
    for day, v in ((date(2023, 12, 31), 80), (date(2024, 6, 30), 85), (date(2025, 1, 1), 90)):
        add_reading(engine, row("communes", day, v), by="t")
    frame = readings_frame(engine, prog, as_of=date(2024, 6, 30))
    assert list(frame["value"]) == [80.0, 85.0]
    assert len(readings_frame(engine, prog)) == 3


def test_known_at_before_a_correction_gives_the_old_value_after_it_the_new(engine, prog):
    rid = add_reading(engine, row("communes", date(2024, 12, 31), 90), by="t")
    time.sleep(0.01)
    new_id = correct_reading(engine, prog, rid, {"value": "91"}, by="t")
    recorded = {r["id"]: _moment(r["recorded_at"]) for r in list_readings(engine, history=True)}
    before_fix, after_fix = recorded[rid], recorded[new_id]
    old = readings_frame(engine, prog, known_at=before_fix)
    assert list(zip(old["reading_id"], old["value"], strict=True)) == [(rid, 90.0)]
    new = readings_frame(engine, prog, known_at=after_fix)
    assert list(zip(new["reading_id"], new["value"], strict=True)) == [(new_id, 91.0)]
    # The same moment written in another timezone is the same moment.
    in_hanoi = before_fix.astimezone(timezone(timedelta(hours=7)))
    assert list(readings_frame(engine, prog, known_at=in_hanoi)["value"]) == [90.0]
    assert readings_frame(engine, prog, known_at=before_fix - timedelta(seconds=1)).empty


def test_known_at_before_a_retraction_still_includes_the_reading(engine, prog):
    rid = add_reading(engine, row("communes", date(2024, 12, 31), 90), by="t")
    time.sleep(0.01)
    retract_reading(engine, rid, reason="wrong commune list", by="t")
    [r] = list_readings(engine, history=True)
    assert list(readings_frame(engine, prog, known_at=_moment(r["recorded_at"]))["value"]) == [90.0]
    assert readings_frame(engine, prog, known_at=_moment(r["ended_at"])).empty
    assert readings_frame(engine, prog).empty


def test_a_share_is_computed_from_counts_of_the_same_date(engine, prog):
    day = date(2025, 6, 30)
    n = add_reading(engine, row("ntm_communes", day, 54), by="t")
    d = add_reading(engine, row("communes", day, 91), by="t")
    frame = readings_frame(engine, prog)
    [share] = frame[frame["indicator"] == "ntm_share"].to_dict("records")
    assert share["value"] == pytest.approx(59.34065934065934, rel=1e-12)
    assert share["date"] == datetime(2025, 6, 30)
    assert share["unit"] == "percent"
    assert pd.isna(share["reading_id"])  # a computed point is no reading of its own
    assert share["source"] == f"computed: ntm_communes 54 / communes 91 (readings {n}, {d})"


def test_a_share_is_never_mixed_across_dates(engine, prog):
    add_reading(engine, row("ntm_communes", date(2025, 6, 30), 54), by="t")
    add_reading(engine, row("communes", date(2024, 12, 31), 91), by="t")
    frame = readings_frame(engine, prog)
    assert sorted(frame["indicator"]) == ["communes", "ntm_communes"]


def test_money_is_converted_with_the_declared_rate_and_the_rate_is_named(engine, prog):
    add_reading(engine, row("income", date(2024, 12, 31), 84.14, "triệu đồng/người/năm"), by="t")
    [r] = readings_frame(engine, prog).to_dict("records")
    assert (r["raw_value"], r["unit"], r["error"]) == (84.14, "triệu đồng/người/năm", None)
    assert r["value"] == pytest.approx(3365.6)
    assert r["conversion"] == (
        "84.14 triệu đồng/người/năm = 3,365.6 USD/person/year at 25,000 VND/USD (2024)"
    )


def test_money_without_a_rate_for_its_year_is_nan_and_says_why(engine, prog):
    add_reading(engine, row("income", date(2023, 12, 31), 80, "million VND/person/year"), by="t")
    add_reading(engine, row("income", date(2022, 12, 31), 3000, "USD/person/year"), by="t")
    frame = readings_frame(engine, prog)
    by_year = {r["date"].year: r for r in frame.to_dict("records")}
    assert math.isnan(by_year[2023]["value"])
    assert by_year[2023]["error"] == (
        "no exchange rate VND->USD is declared for 2023; add one "
        "under exchange_rates in the targets file"
    )
    assert (by_year[2022]["value"], by_year[2022]["error"]) == (3000.0, None)


def test_schema_head_constant_is_the_newest_migration():
    # open_store skips importing alembic when the store is at SCHEMA_HEAD: it must be true.
    from tracker.store.database import SCHEMA_HEAD, _head

    assert _head() == SCHEMA_HEAD
