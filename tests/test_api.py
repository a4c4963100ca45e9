"""The library API: `from tracker import ...` gives the functions the CLI and the web page
call, loaded on first use so that `import tracker` and `tracker --help` stay light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import tracker


def test_every_exported_name_resolves():
    for name in tracker.__all__:
        assert getattr(tracker, name) is not None, name
    from tracker import RunRequest, record_reading, run_job  # noqa: F401

    with pytest.raises(AttributeError):
        tracker.no_such_thing  # noqa: B018


def test_importing_tracker_and_its_cli_loads_no_heavy_library():
    code = (
        "import sys, tracker, tracker.cli; "
        "print(sorted(m for m in ('pandas', 'sqlalchemy', 'starlette', 'jinja2', 'uvicorn', "
        "'pwdlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_run_job_takes_a_request_object(workdir, sqlite_url):
    from tracker import RunRequest, Settings, run_job

    settings = Settings.from_env(database_url=sqlite_url)
    result = run_job(settings, RunRequest(out=workdir / "what-if", formats=("json",), lang="vi"))
    assert (workdir / "what-if" / "gap-report.json").is_file()
    assert not (workdir / "reports" / "latest").exists()  # a run with --out is a what-if
    assert result.run_id is not None and result.counts


def test_record_reading_names_the_field_of_each_problem(program, sqlite_url):
    from tracker import ReadingRefused, open_store, record_reading

    engine = open_store(sqlite_url)
    with pytest.raises(ReadingRefused) as e:
        record_reading(engine, program, {"indicator": "communes", "date": "2025-02-30",
                                         "value": "many", "source": ""}, by="t")
    fields = e.value.by_field()
    assert set(fields) == {"date", "value", "source"}
    from tracker.api import problems_by_field

    # what the web form shows next to each field: the line the command line prints
    assert problems_by_field(e.value)["source"] == [
        "source: " + fields["source"][0]] == [str(e.value).splitlines()[-1]]
    rid = record_reading(engine, program, {"indicator": "communes", "date": "2025",
                                           "value": "91", "source": "s"}, by="t").id
    from tracker import list_readings

    row = list_readings(engine, indicator="communes")[0]
    assert (row["id"], row["unit"], row["area"], row["recorded_by"]) == (
        rid, "communes", program.region, "t")


def test_the_users_migration_matches_the_tables(sqlite_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from tracker.store.database import open_store
    from tracker.store.tables import declare_indexes, metadata

    declare_indexes()

    engine = open_store(sqlite_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert not [d for d in diff if "tracker_user" in str(d) or "login_throttle" in str(d)
                or "web_secret" in str(d) or "ix_reading_history" in str(d)]


def test_the_web_cache_computes_each_value_once_for_concurrent_askers():
    import threading

    from tracker.web.cache import Cache

    cache: Cache[int] = Cache(size=2)
    calls: list[int] = []
    started = threading.Event()
    release = threading.Event()

    def compute() -> int:
        calls.append(1)
        started.set()
        release.wait(10)  # every other thread arrives while this one computes
        return 42

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", compute)))
               for _ in range(8)]
    threads[0].start()
    started.wait(10)
    for t in threads[1:]:
        t.start()
    release.set()
    for t in threads:
        t.join(10)
    assert results == [42] * 8 and len(calls) == 1
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)  # size 2: "k" is dropped first
    assert cache.get("k", lambda: 7) == 7
    cache.clear()
    assert cache.get("a", lambda: 3) == 3


def test_the_tables_and_their_indexes_match_the_migrations(store_url):
    """tables.py (with declare_indexes) is the schema the migrations build, on both stores.

    Alembic compares indexes by name and ignores ddl_if, so it cannot tell the two
    dialect-specific ix_reading_assess apart: that index is checked by reflection here,
    and by the query plan on SQLite (test_readshape)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from tracker.store.database import open_store
    from tracker.store.tables import declare_indexes, metadata

    ASSESS = "ix_reading_assess"
    declare_indexes()
    engine = open_store(store_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
        [assess] = [i for i in inspect(conn).get_indexes("reading") if i["name"] == ASSESS]
    engine.dispose()
    assert [d for d in diff if getattr(d[1], "name", None) != ASSESS] == []
    key = ["area", "indicator", "period_date"]
    if store_url.startswith("sqlite"):
        assert assess["column_names"] == [*key, "value", "unit", "qualifier", "state"]
    else:
        assert assess["column_names"] == key
        include = assess["dialect_options"]["postgresql_include"]
        assert include == ["value", "unit", "qualifier", "id"]


def test_a_command_on_a_sqlite_store_never_loads_the_postgresql_dialect(tmp_path):
    """Its import alone costs a run a fifth of a second (benchmarks/README.md)."""
    import subprocess
    import sys

    from tracker.store.database import open_store

    open_store(f"sqlite:///{tmp_path / 't.db'}").dispose()  # made and migrated: the usual case
    probe = (
        "import sys\n"
        "from tracker.store.database import open_store\n"
        "from tracker.store.queries import readings_frame\n"
        "from tracker.job import run_job\n"
        f"open_store('sqlite:///{tmp_path / 't.db'}')\n"
        "print('sqlalchemy.dialects.postgresql' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
