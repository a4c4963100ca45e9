"""How `tracker run` reads the store and how an import writes it, whatever order the rows
arrive in (benchmarks/README.md measures the speed; these pin the shape): the run reads
only what the assessment needs, from an index that covers it, and fetches the details
of the readings a report names; an import inserts a file's rows in key order and keeps
each row's own line.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import event

from tracker.job import RunRequest, run_job
from tracker.settings import Settings
from tracker.store import sync
from tracker.store.database import open_store
from tracker.store.queries import (
    conversion_texts,
    list_readings,
    reading_details,
    readings_frame,
    share_sources,
)
from tracker.store.sync import sync_files
from tracker.targets import parse_program

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
HEADER = "indicator,date,value,unit,source,area,qualifier,note\n"


def reading_lines() -> list[str]:
    """Two areas, three indicators (one converted, two counts making a share), 2021-2024."""
    lines = []
    for year in range(2021, 2025):
        for area in ("", "Commune A"):
            lines += [
                f"income,{year},{60 + year - 2021},million VND/person/year,GSO {year},{area},,",
                f"communes,{year},91,communes,Office,{area},,",
                f"ntm_communes,{year},{40 + year - 2021},communes,Office,{area},about,n{year}",
            ]
    return lines


@pytest.fixture
def prog():
    return parse_program(PROGRAM_YAML, "t.yaml")


@pytest.fixture
def filled(store_url, tmp_path, monkeypatch, prog):
    """A store filled from one file whose rows are in random order (as data arrives),
    imported as a big file is (in key order; a small one keeps its line order)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sync, "_BIG_IMPORT", 2)
    folder = tmp_path / "actuals"
    folder.mkdir()
    lines = reading_lines()
    random.Random(7).shuffle(lines)
    (folder / "r.csv").write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    engine = open_store(store_url)
    [result] = sync_files(engine, prog, [folder / "r.csv"], folder)
    assert result.ok and result.added == len(lines)
    yield engine, lines
    engine.dispose()


def test_a_big_import_inserts_in_key_order_and_keeps_each_rows_file_line(filled):
    engine, lines = filled
    stored = sorted(list_readings(engine), key=lambda r: r["id"])
    keys = [(r["indicator"], r["area"], r["date"]) for r in stored]
    assert keys == sorted(keys)  # ids follow (indicator, area, date), not the file's order
    for r in stored:  # ... and every row still says which line of the file it came from
        ind, day, value, unit, source, area, qualifier, note = lines[r["source_line"] - 2].split(
            ","
        )
        assert (r["indicator"], r["date"][:4], r["value"], r["source"]) == (
            ind,
            day,
            float(value),
            source,
        )
        assert (r["area"], r["qualifier"], r["note"]) == (
            area or "R",
            qualifier or None,
            note or None,
        )


def test_the_lean_read_is_the_full_read_without_the_details(filled, prog):
    engine, _ = filled
    full = readings_frame(engine, prog, as_of=date(2024, 12, 31), area="R")
    lean = readings_frame(engine, prog, as_of=date(2024, 12, 31), area="R", details=False)
    stored = full["reading_id"].notna()
    # Everything the assessment uses is the same, to the bit: values converted, shares made.
    same = ["reading_id", "indicator", "area", "date", "value", "raw_value", "unit"]
    same += ["qualifier", "error", "rate", "rate_from", "rate_to", "rate_year", "rate_estimate"]
    pd.testing.assert_frame_equal(lean[same], full[same])
    assert (full["area"] == "R").all() and stored.sum() == 12 and (~stored).sum() == 4
    # No sentence is written per reading: a stored reading's details, the conversion text
    # and a computed share's source are left out ...
    assert lean.loc[stored, ["source", "note"]].isna().all().all()
    assert lean.loc[stored, "recorded_at"].isna().all()
    assert lean["conversion"].isna().all() and full["conversion"].notna().any()
    assert lean.loc[~stored, "source"].isna().all()
    # ... and written, the same words, for the rows a report shows.
    converted = full["conversion"].notna()
    assert conversion_texts(lean[converted], prog) == list(full.loc[converted, "conversion"])
    shares = lean[~stored]
    wanted = list(zip(shares["indicator"], shares["area"], shares["date"], strict=True))
    assert share_sources(lean, prog, wanted) == list(full.loc[~stored, "source"])
    # reading_details gives back exactly what was left out.
    details = reading_details(engine, full.loc[stored, "reading_id"].tolist())
    ids = full.loc[stored, "reading_id"].astype("int64")
    assert list(details.loc[ids, "source"]) == list(full.loc[stored, "source"])
    assert list(details.loc[ids, "note"].fillna("-")) == list(full.loc[stored, "note"].fillna("-"))


def test_a_run_without_xlsx_names_the_latest_readings_own_source(filled, tmp_path, store_url):
    engine, _ = filled
    targets = tmp_path / "targets.yaml"
    targets.write_text(PROGRAM_YAML, encoding="utf-8")
    settings = Settings(targets, tmp_path / "actuals", tmp_path / "reports", store_url)

    def latest(formats: list[str]) -> dict[str, tuple]:
        request = RunRequest(as_of=date(2024, 12, 31), formats=formats, sync=False)
        result = run_job(settings, request)
        assert result.gaps is not None
        return {
            g["target"]: (g["latest_reading_id"], g["latest_source"], g["conversion"])
            for g in result.gaps.to_dict("records")
        }

    lean, full = latest(["json"]), latest(["json", "xlsx"])  # xlsx reads every detail
    assert lean == full
    [converted] = [v[2] for k, v in lean.items() if k.startswith("income")]
    assert converted.startswith("63 million VND/person/year = 2,520 USD/person/year at 25,000")
    sources = {r["id"]: r["source"] for r in list_readings(engine)}
    [(income_id, income_source, _)] = [v for k, v in lean.items() if k.startswith("income")]
    assert income_source == sources[income_id] == "GSO 2024"
    [(share_id, share_source, _)] = [v for k, v in lean.items() if k.startswith("ntm_share")]
    assert pd.isna(share_id) and share_source.startswith("computed: ntm_communes 43 / communes 91")


def test_sqlite_answers_the_runs_read_from_the_covering_index(sqlite_url, tmp_path, monkeypatch):
    """Not one table row is fetched: the plan cannot depend on the order rows arrived in."""
    monkeypatch.chdir(tmp_path)
    prog = parse_program(PROGRAM_YAML, "t.yaml")
    folder = Path("actuals")
    folder.mkdir()
    lines = reading_lines()
    random.Random(3).shuffle(lines)
    (folder / "r.csv").write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    engine = open_store(sqlite_url)
    sync_files(engine, prog, [folder / "r.csv"], folder)
    seen: list[tuple[str, tuple]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def keep(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if statement.lstrip().startswith("SELECT") and "FROM reading" in statement:
            seen.append((statement, parameters))

    readings_frame(engine, prog, as_of=date(2024, 12, 31), area="R", details=False)
    [(statement, parameters)] = seen
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    assert [p[-1] for p in plan] == [
        "SEARCH reading USING COVERING INDEX ix_reading_assess (area=?)"
    ]
    engine.dispose()


def test_every_revision_is_read_through_two_indexes_in_the_order_of_one_query(
    store_url, tmp_path, monkeypatch
):
    """`readings --history` and the indicator page merge the current readings (the unique
    key) with the earlier revisions (ix_reading_history, migration 0006): the same rows in
    the same order as one query over the whole table; on SQLite each half is an index
    search, and a file that only adds readings puts nothing in ix_reading_history."""
    from sqlalchemy import select

    from tracker.store.queries import every_revision
    from tracker.store.tables import reading as R

    monkeypatch.chdir(tmp_path)
    prog = parse_program(PROGRAM_YAML, "t.yaml")
    folder = Path("actuals")
    folder.mkdir()
    lines = reading_lines()
    (folder / "r.csv").write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    engine = open_store(store_url)
    sync_files(engine, prog, [folder / "r.csv"], folder)
    earlier = select(R.c.id).where(R.c.state != "current")
    with engine.connect() as conn:
        assert conn.execute(earlier).all() == []
    # corrections and a removal: superseded and retracted revisions
    changed = [ln.replace(",91,", ",92,") for ln in lines if not ln.startswith("income,2022")]
    (folder / "r.csv").write_text(HEADER + "\n".join(changed) + "\n", encoding="utf-8")
    [result] = sync_files(engine, prog, [folder / "r.csv"], folder)
    assert (result.corrected, result.retracted) == (8, 2)
    whole = select(R).order_by(R.c.indicator, R.c.area, R.c.period_date, R.c.id)
    with engine.connect() as conn:
        assert len(conn.execute(earlier).all()) == 10
        every = conn.execute(whole).all()
        one = conn.execute(whole.where(R.c.indicator == "communes")).all()
        newest = conn.execute(
            select(R).where(R.c.indicator == "communes", R.c.area == "Commune A")
            .order_by(R.c.period_date.desc(), R.c.id.desc()).limit(5)
        ).all()
        mine = [R.c.indicator == "communes", R.c.area == "Commune A"]
        page = list(every_revision(conn, mine, ("period_date", "id"), newest_first=True, limit=5))
    ids = [r["id"] for r in list_readings(engine, history=True)]
    assert ids == [r.id for r in every] and len(ids) == 24 + 8
    assert [r["id"] for r in list_readings(engine, indicator="communes", history=True)] == [
        r.id for r in one
    ]
    assert [r.id for r in page] == [r.id for r in newest]
    assert {r.state for r in newest} == {"current", "superseded"}
    if engine.dialect.name == "sqlite":
        plans = []
        for state in (R.c.state == "current", R.c.state != "current"):
            q = select(R).where(state, *mine).order_by(R.c.period_date.desc())
            compiled = q.compile(engine, compile_kwargs={"literal_binds": True})
            with engine.connect() as conn:
                plans += [p[-1] for p in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")]
        assert plans[0] in (  # either index of current readings holds (indicator, area)
            "SEARCH reading USING INDEX uq_reading_current_key (indicator=? AND area=?)",
            "SEARCH reading USING INDEX ix_reading_assess (area=? AND indicator=?)",
        )
        assert plans[1:] == [
            "SEARCH reading USING INDEX ix_reading_history (indicator=? AND area=?)"
        ]
    engine.dispose()
