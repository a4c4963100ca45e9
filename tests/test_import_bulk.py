"""How a big import stores its rows fast without changing what it stores
(benchmarks/README.md measures the speed; these pin the behaviour): on SQLite, a big
import into a store holding fewer than half as many readings builds the reading
indexes after its rows, in the same transaction, and leaves the schema as it was; a
row that clashes with a stored reading is still refused with nothing written; the
cyclic garbage collector is paused only while a file is imported.
"""

from __future__ import annotations

import gc
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, text

from tracker.store import sync
from tracker.store.database import open_store
from tracker.store.export import write_export
from tracker.store.queries import list_readings
from tracker.store.record import record_reading
from tracker.store.sync import sync_files
from tracker.targets import parse_program

PROGRAM_YAML = """\
program: Test programme
region: R
indicators:
  communes: {unit: communes}
  ntm_communes: {unit: communes}
  ntm_share:
    unit: percent
    ratio_of: {numerator: ntm_communes, denominator: communes}
    targets: [{by: 2030, at_least: 100}]
"""
HEADER = "indicator,date,value,unit,source,area,qualifier,note\n"


@pytest.fixture
def prog():
    return parse_program(PROGRAM_YAML, "t.yaml")


def lines(n_months: int = 12) -> list[str]:
    """Two counts in two areas, monthly, in date order (not key order)."""
    out = []
    day = date(2020, 1, 31)
    for m in range(n_months):
        month = f"{day.year:04d}-{day.month:02d}"
        for area in ("", "Commune A"):
            out.append(f"communes,{month},{90 + m % 3},communes,Office,{area},,")
            ntm = f"ntm_communes,{month},{40 + m % 5},communes"
            out.append(f'{ntm},"Office, NTM",{area},about,n{m}')
        day = (day + timedelta(days=1)).replace(day=28) + timedelta(days=4)
    return out


def write(folder: Path, name: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def statements(engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        seen.append(statement)

    return seen


def schema(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'reading' ORDER BY name"
        else:
            query = (
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'reading' ORDER BY 1"
            )
        return [tuple(r) for r in conn.execute(text(query))]


def stored(engine) -> list[tuple]:
    """Every reading as the store holds it, but the moment it was recorded."""
    return [
        tuple(v for k, v in sorted(r.items()) if k != "recorded_at")
        for r in sorted(list_readings(engine, history=True), key=lambda r: r["id"])
    ]


def snapshot(engine) -> str:
    out = io.StringIO()
    write_export(engine, out, history=True)
    return out.getvalue()


@pytest.fixture
def big(monkeypatch):
    """Every import counts as big (key order, big page cache, indexes built after)."""
    monkeypatch.setattr(sync, "_BIG_IMPORT", 2)


def test_a_first_big_import_builds_the_indexes_after_its_rows(
    big, store_url, tmp_path, prog, monkeypatch
):
    engine = open_store(store_url)
    before = schema(engine)
    seen = statements(engine)
    [result] = sync_files(engine, prog, [write(tmp_path, "r.csv", lines())], tmp_path)
    assert result.ok and result.added == 48
    dropped = [s for s in seen if s.startswith("DROP INDEX")]
    if engine.dialect.name == "sqlite":
        assert len(dropped) == 5  # every index of `reading`, made again from its own SQL
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    else:
        assert dropped == []  # PostgreSQL adds to its indexes as before
    assert schema(engine) == before
    # The very same readings as an import that adds to the indexes row by row.
    monkeypatch.setattr(sync, "_holds_fewer_than", lambda conn, n: False)
    other = open_store(f"sqlite:///{tmp_path / 'other.db'}")
    sync_files(other, prog, [tmp_path / "r.csv"], tmp_path)
    assert stored(engine) == stored(other)
    engine.dispose()
    other.dispose()


def test_a_big_import_that_clashes_with_a_typed_reading_writes_nothing(
    big, store_url, tmp_path, prog
):
    engine = open_store(store_url)
    typed = record_reading(
        engine,
        prog,
        {"indicator": "communes", "date": "2020-03", "value": "91", "source": "s"},
        by="t",
    ).id
    before, indexes = snapshot(engine), schema(engine)
    seen = statements(engine)
    [result] = sync_files(engine, prog, [write(tmp_path, "r.csv", lines())], tmp_path)
    assert [(p.line, p.message) for p in result.problems] == [
        (
            6,
            f"communes for R on 2020-03-31 is already recorded as reading {typed} (added with "
            f"`tracker add`; `tracker retract {typed}` withdraws it); keep one of the two",
        )
    ]
    if engine.dialect.name == "sqlite":  # the unique index, built again, found the clash
        assert any(s.startswith("DROP INDEX") for s in seen)
    assert snapshot(engine) == before and schema(engine) == indexes
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM imported_file")).scalar() == 0
    engine.dispose()


def test_a_big_import_into_a_store_holding_more_readings_adds_to_the_indexes(
    big, sqlite_url, tmp_path, prog
):
    engine = open_store(sqlite_url)
    sync_files(engine, prog, [write(tmp_path, "a.csv", lines(24))], tmp_path)  # 96 readings
    seen = statements(engine)
    few = [r.replace("Commune A", "Commune B") for r in lines(12) if "Commune A" in r]
    [result] = sync_files(engine, prog, [write(tmp_path, "b.csv", few)], tmp_path)
    assert result.ok and result.added == 24
    assert not any(s.startswith("DROP INDEX") for s in seen)
    engine.dispose()


def test_a_reimport_of_a_changed_big_file_corrects_its_rows(big, store_url, tmp_path, prog):
    engine = open_store(store_url)
    path = write(tmp_path, "r.csv", lines())
    sync_files(engine, prog, [path], tmp_path)
    changed = lines()
    changed[3] = changed[3].replace(",40,", ",41,")
    write(tmp_path, "r.csv", changed[:-1])
    [result] = sync_files(engine, prog, [path], tmp_path)
    assert (result.added, result.corrected, result.retracted, result.unchanged) == (0, 1, 1, 46)
    [new] = [r for r in list_readings(engine) if r["source_line"] == 5]
    assert new["value"] == 41.0 and new["revision_of"] is not None
    engine.dispose()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cyclic_collector_is_paused_only_while_a_file_is_imported(
    enabled, sqlite_url, tmp_path, prog, monkeypatch
):
    engine = open_store(sqlite_url)
    during: list[bool] = []
    parse = sync.parse_reading_table

    def watching(*args, **kwargs):
        during.append(gc.isenabled())
        return parse(*args, **kwargs)

    monkeypatch.setattr(sync, "parse_reading_table", watching)
    good = write(tmp_path, "a.csv", lines(2))
    bad = write(tmp_path, "b.csv", ["communes,2020-01,x,communes,s,,,"])
    (gc.enable if enabled else gc.disable)()
    try:
        results = sync_files(engine, prog, [good, bad], tmp_path)
        after = gc.isenabled()
    finally:
        gc.enable()
    assert [r.ok for r in results] == [True, False]
    assert during == [False, False] and after is enabled
    engine.dispose()


def test_a_big_import_with_a_part_above_its_whole_is_refused_before_any_clash(
    big, store_url, tmp_path, prog
):
    """On SQLite the cross-reading rules run while the indexes are built: their refusal
    still comes first, as when they ran before the rows were written."""
    engine = open_store(store_url)
    record_reading(
        engine,
        prog,
        {"indicator": "communes", "date": "2020-03", "value": "91", "source": "s"},
        by="t",
    )
    before, indexes = snapshot(engine), schema(engine)
    rows = lines()
    rows[3] = rows[3].replace(",40,", ",400,")  # ntm_communes above communes (line 5)
    [result] = sync_files(engine, prog, [write(tmp_path, "r.csv", rows)], tmp_path)
    assert [(p.line, p.message.split(" is more than ")[0]) for p in result.problems] == [
        (5, "value: 400 ntm_communes")
    ]
    assert snapshot(engine) == before and schema(engine) == indexes
    engine.dispose()


def test_a_big_import_stores_every_character_of_its_texts_as_written(
    big, store_url, tmp_path, prog, monkeypatch
):
    """PostgreSQL takes a big file's rows by COPY in text format (sync._copy_rows), where a
    backslash, a tab, a line break and `\\N` (its NULL) have meanings of their own: each
    text comes back as the file wrote it, as from an import that inserts row by row."""
    notes = ["tab\there", "back\\slash", "\\N", "line\nbreak", "\\t as typed", "Quảng Ninh"]
    rows = [
        f'communes,2020-{m + 1:02d},90,communes,"Office\t\\{m}",Xã Hạ Long,,"{note}"'
        for m, note in enumerate(notes)
    ]
    write(tmp_path, "r.csv", rows)
    engine = open_store(store_url)
    [result] = sync_files(engine, prog, [tmp_path / "r.csv"], tmp_path)
    assert result.ok and result.added == len(notes)
    readings = list_readings(engine, history=True)
    assert [r["note"] for r in readings] == notes
    assert [r["source"] for r in readings] == [f"Office\t\\{m}" for m in range(len(notes))]
    assert {r["area"] for r in readings} == {"Xã Hạ Long"}
    small = open_store(f"sqlite:///{tmp_path / 'small.db'}")
    monkeypatch.setattr(sync, "_BIG_IMPORT", 20_000)  # this one row by row
    sync_files(small, prog, [tmp_path / "r.csv"], tmp_path)
    assert stored(engine) == stored(small)
    engine.dispose()
    small.dispose()


def test_a_big_import_checks_its_rows_on_a_reading_connection_beside_its_insert(
    big, store_url, tmp_path, prog, monkeypatch
):
    """A big import runs the cross-reading check in a thread of its own, on a read-only
    connection (the store as last committed), while its transaction inserts; a small one
    checks first, on the importing connection."""
    import threading

    from tracker.store.database import READ_ONLY

    seen: list[tuple[str, bool]] = []
    check = sync._cross_check

    def spy(conn, *args):  # noqa: ANN001, ANN002
        reads_only = conn.get_execution_options().get(READ_ONLY, False)
        seen.append((threading.current_thread().name, reads_only))
        return check(conn, *args)

    monkeypatch.setattr(sync, "_cross_check", spy)
    engine = open_store(store_url)
    [result] = sync_files(engine, prog, [write(tmp_path, "r.csv", lines())], tmp_path)
    assert result.ok and seen == [("tracker-check_0", True)]
    seen.clear()
    monkeypatch.setattr(sync, "_BIG_IMPORT", 10_000)
    [result] = sync_files(engine, prog, [write(tmp_path, "s.csv", lines(24)[48:])], tmp_path)
    assert result.ok and result.added == 48 and seen == [("MainThread", False)]
    engine.dispose()
