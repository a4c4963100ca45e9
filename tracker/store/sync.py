"""Importing a reading file is a sync, and idempotent.

Within a file a reading is identified by (indicator, area, date). Against what the
store holds from that file: a new key is added; the same key with a different value,
unit, source, qualifier or note becomes a correction (a new revision superseding the
old one); a key no longer in the file is retracted. An unchanged file (same size and
mtime, or same SHA-256) is recognised without parsing it. Each file is one
transaction: a bad file, or an interrupted import, leaves the store as it was.

    >>> results = sync_files(engine, program, reading_files(Path("actuals")), Path("actuals"))
    >>> [(r.file, r.added, r.corrected, r.retracted) for r in results]
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice, repeat
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from tracker.errors import Problem, ReadingsFileError, TrackerError
from tracker.model import Program
from tracker.store.database import READ_ONLY
from tracker.store.ledger import R, _close, now_utc
from tracker.store.neighbours import nearest_stored
from tracker.store.readingfile import ReadingTable, decode_utf8, parse_reading_table
from tracker.store.rowcheck import refuse
from tracker.store.rules import Rules, cross_problems
from tracker.store.tables import imported_file

F = imported_file
_BATCH = 50_000


@dataclass
class SyncResult:
    file: str  # as shown to the user
    added: int = 0
    corrected: int = 0
    retracted: int = 0
    unchanged: int = 0
    skipped: bool = False  # the file had not changed since the last import
    moved_from: str | None = None  # the same file was imported under this name
    problems: list[Problem] = field(default_factory=list)
    summary: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def reading_files(folder: Path) -> list[Path]:
    """Every CSV file in `folder` (not recursive), in name order."""
    if not folder.is_dir():
        raise ReadingsFileError(
            [
                Problem(
                    str(folder),
                    None,
                    None,
                    "the readings folder does not "
                    "exist; create it or set TRACKER_ACTUALS / --actuals",
                )
            ]
        )
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.is_file())


def file_key(path: Path, actuals_dir: Path) -> str:
    """How the store names a file: relative to the readings folder when inside it."""
    try:
        return path.resolve().relative_to(actuals_dir.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def display_name(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def sync_files(
    engine: Engine,
    program: Program,
    paths: Sequence[Path],
    actuals_dir: Path,
    *,
    by: str = "import",
) -> list[SyncResult]:
    """Sync each file; a bad file is reported in its result and leaves the store unchanged."""
    results = []
    for path in paths:
        shown = display_name(path)
        try:
            results.append(
                sync_file(
                    engine,
                    program,
                    path,
                    file_key(path, actuals_dir),
                    shown,
                    by=by,
                    actuals_dir=actuals_dir,
                )
            )
        except ReadingsFileError as e:
            results.append(SyncResult(shown, problems=e.problems, summary=e.summary))
    return results


def sync_file(
    engine: Engine,
    program: Program,
    path: Path,
    key: str,
    shown: str,
    *,
    by: str = "import",
    actuals_dir: Path | None = None,
) -> SyncResult:
    try:
        st = path.stat()
    except OSError as e:
        raise ReadingsFileError(
            [Problem(shown, None, None, f"cannot read it: {e.strerror}")]
        ) from None
    with engine.connect() as conn:
        known = conn.execute(select(F).where(F.c.path == key)).first()
    if known is not None and known.size == st.st_size and known.mtime_ns == st.st_mtime_ns:
        return SyncResult(shown, unchanged=known.rows, skipped=True)
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    moved_from = None
    if known is None:
        moved = _moved_from(engine, sha, key, actuals_dir or path.parent)
        if moved is not None:
            known, moved_from = moved
    if known is not None and known.sha256 == sha:
        with engine.begin() as conn:
            conn.execute(
                F.update().where(F.c.path == key).values(mtime_ns=st.st_mtime_ns, size=st.st_size)
            )
        return SyncResult(shown, unchanged=known.rows, skipped=True, moved_from=moved_from)
    with _cyclic_gc_paused():
        rows = parse_reading_table(decode_utf8(raw, shown), shown, program)
        return _apply(engine, program, rows, key, shown, by=f"{by}:{key}", sha=sha, st=st)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a file is read, checked and stored.

    A big file makes millions of short-lived lists and tuples (csv records, driver
    rows); the collector starts a pass every 700 new container objects, and its full
    passes walk every one still alive: csv.reader alone took 3.8 s on the benchmark's
    million-row file with it on, 1.3 s with it off. These objects form no cycles, so
    reference counting frees them as before; the collector is back on (if it was on)
    when the file is done, and any cycle made meanwhile is found then. The switch is
    the process's: another thread's import (the web page) may end the pause early,
    which only costs that speed.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _moved_from(engine: Engine, sha: str, key: str, actuals_dir: Path) -> Any:
    """A new path whose bytes are those of an imported file that is no longer where it
    was: the same file, renamed or moved. Its readings follow it (their `source_file`
    becomes the new name); nothing else changes. Returns the file's new record."""
    with engine.begin() as conn:
        for old in conn.execute(select(F).where(F.c.sha256 == sha)).all():
            if (actuals_dir / old.path).exists():  # an absolute key stays itself under /
                continue  # a copy, not a move: the duplicate rows are refused as before
            conn.execute(
                R.update()
                .where(R.c.source_file == old.path, R.c.state == "current")
                .values(source_file=key)
            )
            conn.execute(F.update().where(F.c.path == old.path).values(path=key))
            return conn.execute(select(F).where(F.c.path == key)).first(), old.path
    return None


@dataclass(frozen=True)
class GoneFile:
    """An imported file that is no longer in the readings folder; its readings still count."""

    key: str
    shown: str
    imported_at: datetime
    readings: int

    def __str__(self) -> str:
        return (
            f"{self.shown} was imported on {self.imported_at:%Y-%m-%d} and is gone: its "
            f"{self.readings} readings still count; `tracker import --forget {self.shown}` "
            "retracts them"
        )


def gone_files(engine: Engine, actuals_dir: Path) -> list[GoneFile]:
    """Imported files of the readings folder that are not there any more (said at every
    import and run until they are back or forgotten)."""
    from sqlalchemy import func

    with engine.connect() as conn:
        known = conn.execute(select(F.c.path, F.c.imported_at)).all()
        gone = [
            (k.path, k.imported_at)
            for k in known
            if not Path(k.path).is_absolute() and not (actuals_dir / k.path).exists()
        ]
        out = []
        for key, at in gone:
            n = conn.execute(
                select(func.count())
                .select_from(R)
                .where(R.c.source_file == key, R.c.state == "current")
            ).scalar_one()
            out.append(GoneFile(key, display_name(actuals_dir / key), at, n))
    return out


def forget_file(engine: Engine, path: Path, actuals_dir: Path, *, by: str) -> int:
    """Retract every current reading imported from `path` (a file that is gone, or one
    to withdraw) and forget the file; returns how many readings were retracted."""
    key = file_key(path, actuals_dir)
    shown = display_name(path)
    with engine.begin() as conn:
        known = conn.execute(select(F.c.path).where(F.c.path == key)).first()
        if known is None:
            raise ReadingsFileError(
                [
                    Problem(
                        shown,
                        None,
                        None,
                        "was never imported, so there is nothing to forget; `tracker readings "
                        "--history` shows where each reading came from",
                    )
                ]
            )
        ids = [
            r.id
            for r in conn.execute(
                select(R.c.id).where(R.c.source_file == key, R.c.state == "current")
            )
        ]
        _close(conn, ids, "retracted", now_utc(), f"{shown} forgotten ({by})")
        conn.execute(delete(F).where(F.c.path == key))
    return len(ids)


def _apply(
    engine: Engine,
    program: Program,
    rows: ReadingTable,
    key: str,
    shown: str,
    *,
    by: str,
    sha: str,
    st: os.stat_result,
) -> SyncResult:
    try:
        return _apply_once(engine, program, rows, key, shown, by=by, sha=sha, st=st)
    except IntegrityError:
        # The database holds at most one current reading per (indicator, area, date): a row
        # of this file clashes with a reading typed in or imported from another file. The
        # transaction rolled back; find the rows to name them (this path is rare).
        problems = _clashes(engine, rows, key, shown)
        if problems:
            raise refuse(problems, shown) from None
    # No reading of another file or typed in clashes: another process (a second scheduler,
    # on this machine or another sharing the database) imported this same file at the same
    # moment and committed first. Applying it again now finds those rows unchanged.
    try:
        return _apply_once(engine, program, rows, key, shown, by=by, sha=sha, st=st)
    except IntegrityError:
        raise TrackerError(
            f"{shown}: another import changed the same readings at the same moment, so "
            "this one was rolled back (nothing from it was stored); run `tracker import` "
            "again"
        ) from None


def _clashes(engine: Engine, rows: ReadingTable, key: str, shown: str) -> list[Problem]:
    wanted = {
        (i, a, d): ln
        for i, a, d, ln in zip(
            rows.indicator.tolist(),
            rows.area.tolist(),
            rows.period_date.tolist(),
            rows.line.tolist(),
            strict=True,
        )
    }
    indicators = sorted({k[0] for k in wanted})
    problems = []
    with engine.connect() as conn:
        others = conn.execute(
            select(
                R.c.id, R.c.indicator, R.c.area, R.c.period_date, R.c.source_file, R.c.source_line
            )
            .where(R.c.state == "current", R.c.indicator.in_(indicators))
            .where((R.c.source_file != key) | R.c.source_file.is_(None))
        )
        for o in others:
            line = wanted.get((o.indicator, o.area, o.period_date))
            if line is None:
                continue
            where = (
                f"from line {o.source_line} of the reading file {o.source_file}"
                if o.source_file
                else f"added with `tracker add`; `tracker retract {o.id}` withdraws it"
            )
            problems.append(
                Problem(
                    shown,
                    line,
                    None,
                    f"{o.indicator} for {o.area} on {o.period_date.isoformat()} is already "
                    f"recorded as reading {o.id} ({where}); keep one of the two",
                )
            )
    return problems


def _cross_check(
    conn: Connection, program: Program, rows: ReadingTable, new: list[int], key: str, shown: str
) -> None:
    """The cross-reading rules (store/rules.py) on the added and changed rows; the file's
    unchanged rows and the store's other readings are their neighbours."""
    import pandas as pd

    if not new:
        return
    check = np.zeros(len(rows), dtype=bool)
    check[new] = True
    batch = pd.DataFrame(
        {
            "indicator": rows.indicator,
            "area": rows.area,
            "period_date": rows.period_date,
            "value": rows.value,
            "unit": rows.unit,
            "confirmed": rows.confirmed,
            "pos": np.arange(len(rows)),
            "where": ["line " + str(ln) for ln in rows.line.tolist()],
            "new": check,
        }
    )
    stored = nearest_stored(conn, program, batch, except_file=key)
    found = cross_problems(Rules(program), batch, stored)
    if found:
        problems = [
            Problem(shown, int(rows.line[pos]), None, str(p))
            for pos in sorted(found)
            for p in found[pos]
        ]
        raise refuse(problems, shown)


def _checks_aside(engine: Engine, n_new: int) -> bool:
    """Whether a file's cross-reading check runs beside its insert (_cross_check_aside):
    a big import into a store that another connection can read (not SQLite in memory)."""
    return n_new >= _BIG_IMPORT and engine.url.database not in (None, "", ":memory:")


def _cross_check_aside(
    engine: Engine, program: Program, rows: ReadingTable, new: list[int], key: str, shown: str
) -> None:
    """_cross_check on a connection of its own, in a thread of its own, while the import's
    transaction inserts the rows: the check reads the store as last committed, which is
    what it read before anything was written, and on a machine of two cores or more the
    two take the time of the longer (a national file: ~10 s each). The import waits for
    it before committing; a refusal rolls everything back."""
    with engine.connect().execution_options(**{READ_ONLY: True}) as reader:
        _cross_check(reader, program, rows, new, key, shown)


def _apply_once(
    engine: Engine,
    program: Program,
    rows: ReadingTable,
    key: str,
    shown: str,
    *,
    by: str,
    sha: str,
    st: os.stat_result,
) -> SyncResult:
    result = SyncResult(shown)
    at = now_utc()
    with engine.begin() as conn:
        _lock_file(conn, key)
        current: dict[tuple[Any, ...], Any] = {
            (r.indicator, r.area, r.period_date): r
            for r in conn.execute(
                select(
                    R.c.id,
                    R.c.indicator,
                    R.c.area,
                    R.c.period_date,
                    R.c.value,
                    R.c.unit,
                    R.c.source,
                    R.c.qualifier,
                    R.c.note,
                    R.c.confirmed,
                    R.c.source_line,
                ).where(R.c.source_file == key, R.c.state == "current")
            )
        }
        new: list[int] = []  # positions in `rows` to insert
        revision_of: list[int | None] = []
        superseded: list[int] = []
        if not current:  # a first import: every row is new, nothing to compare
            new = list(range(len(rows)))
            revision_of = [None] * len(rows)
            result.added = len(rows)
        columns = [rows.indicator, rows.area, rows.period_date, rows.value, rows.unit]
        columns += [rows.source, rows.qualifier, rows.note, rows.confirmed]
        for i, (ind, area, day, value, unit, source, qualifier, note, confirmed) in enumerate(
            zip(*(c.tolist() for c in columns), strict=True) if current else ()
        ):
            old = current.pop((ind, area, day), None)
            if old is None:
                new.append(i)
                revision_of.append(None)
                result.added += 1
            elif (old.value, old.unit, old.source, old.qualifier, old.note, old.confirmed) != (
                value,
                unit,
                source,
                qualifier,
                note,
                confirmed,
            ):
                superseded.append(old.id)
                new.append(i)
                revision_of.append(old.id)
                result.corrected += 1
            else:
                result.unchanged += 1
        gone = [r.id for r in current.values()]
        result.retracted = len(gone)
        checking = None
        if _checks_aside(engine, len(new)):
            pool = ThreadPoolExecutor(1, thread_name_prefix="tracker-check")
            checking = pool.submit(_cross_check_aside, engine, program, rows, new, key, shown)
            pool.shutdown(wait=False)
        else:
            _cross_check(conn, program, rows, new, key, shown)  # before anything is written
        try:
            rebuild = _rebuilds_indexes(conn, len(new))
            # Close first, then insert: at every instant of the transaction there is at
            # most one current revision per key.
            _close(conn, superseded, "superseded", at, f"changed in {shown}")
            _close(conn, gone, "retracted", at, f"removed from {shown}")
            take = np.asarray(new, dtype=np.int64)
            if len(new) >= _BIG_IMPORT:  # a small file keeps ids in line order, as read
                take, revision_of = _in_key_order(rows, take, revision_of)
            with (
                _big_page_cache(conn, len(new)),
                _indexes_built_after(conn, rebuild),
            ):
                _insert_rows(conn, rows, take, revision_of, by=by, at=at, key=key)
        except BaseException:
            if checking is not None:  # the rules' refusal first, as if checked before
                checking.result()
            raise
        if checking is not None:  # a refusal rolls back every row written: none is stored
            checking.result()
        if len(new) >= _ANALYZE_AFTER and conn.dialect.name == "postgresql":
            # Fresh statistics for the planner: without them a store filled a moment ago
            # is planned as if empty (autovacuum's ANALYZE comes minutes later).
            conn.exec_driver_sql(f"ANALYZE {R.name}")
        conn.execute(delete(F).where(F.c.path == key))
        conn.execute(
            insert(F).values(
                path=key,
                size=st.st_size,
                mtime_ns=st.st_mtime_ns,
                sha256=sha,
                rows=len(rows),
                imported_at=at,
            )
        )
    return result


_ANALYZE_AFTER = 10_000  # rows inserted by one file import before PostgreSQL re-ANALYZEs
_IMPORT_CACHE_KIB = 256 * 1024  # SQLite page cache while a big file is inserted
_BIG_IMPORT = 20_000  # rows: a smaller import keeps file order and SQLite's default cache


def _in_key_order(
    rows: ReadingTable, take: np.ndarray, revision_of: list[int | None]
) -> tuple[np.ndarray, list[int | None]]:
    """The rows to insert (positions `take`) sorted by (indicator, area, date), the unique
    index's order.

    A file in any order (by date as readings arrive, shuffled) then adds its rows to the
    key index as runs of neighbours rather than one random page per row, and a file's
    rows lie in the table in key order. Row ids follow; source_line keeps the file line.
    """
    import pandas as pd

    if len(take) < 2:
        return take, revision_of
    codes = [
        pd.factorize(getattr(rows, name)[take], sort=True)[0]
        for name in ("period_date", "area", "indicator")  # lexsort: last key first
    ]
    order = np.lexsort(codes)
    if any(r is not None for r in revision_of):
        ordered = np.empty(len(revision_of), dtype=object)
        ordered[:] = revision_of
        revision_of = ordered[order].tolist()
    return take[order], revision_of  # (all None: the same list in any order)


_REBUILD_SHARE = 2  # SQLite rebuilds the indexes when the store holds < 1/2 the rows added


def _holds_fewer_than(conn: Connection, n: int) -> bool:
    """Whether the reading table has fewer than n rows (counting at most n of them)."""
    counted = conn.exec_driver_sql(
        f"SELECT count(*) FROM (SELECT 1 FROM {R.name} LIMIT {int(n)})"
    ).scalar_one()
    return int(counted) < n


def _rebuilds_indexes(conn: Connection, n_rows: int) -> bool:
    """Whether this import builds the reading indexes after its rows (_indexes_built_after):
    SQLite, a big import, into a store holding fewer than half as many readings."""
    return (
        conn.dialect.name == "sqlite"
        and n_rows >= _BIG_IMPORT
        and _holds_fewer_than(conn, n_rows // _REBUILD_SHARE)
    )


@contextmanager
def _indexes_built_after(conn: Connection, rebuild: bool) -> Iterator[None]:
    """SQLite, a big import into a store that holds fewer than half as many readings
    (a first import, a new store): drop the reading table's indexes, insert the rows,
    and create the indexes again from their own stored SQL, all in the one transaction.

    Building an index from a table of rows (one sort) costs a fraction of adding a
    million rows to five indexes one entry at a time. The schema the transaction commits
    is the one it started from (the same CREATE statements, sqlite_master unchanged);
    the unique index is checked when it is built, so a row that clashes with a stored
    reading fails the import with the same IntegrityError as before (sync._apply names
    it), and any failure rolls back the drops with the rows. Readers in other
    connections keep reading the last committed store, indexes and all.
    Without a rebuild, nothing changes.
    """
    if not rebuild:
        yield
        return
    indexes = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY name",
        (R.name,),
    ).all()
    quote = conn.dialect.identifier_preparer.quote
    for name, _ in indexes:
        conn.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    for _, sql in indexes:
        conn.exec_driver_sql(sql)


@contextmanager
def _big_page_cache(conn: Connection, n_rows: int) -> Iterator[None]:
    """SQLite: a page cache big enough for the indexes a large import adds to.

    With SQLite's default 2 MB, inserting a million rows into the four indexes of
    `reading` evicts and re-reads index pages for nearly every row once the indexes
    outgrow it (most of all when rows arrive out of key order). The cache is per
    connection, so it goes back to what it was before the pooled connection is reused.
    """
    if conn.dialect.name != "sqlite" or n_rows < _BIG_IMPORT:
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


def _lock_file(conn: Connection, key: str) -> None:
    """One import of a file at a time: a second one waits, then finds the first one's rows.

    SQLite already serialises writers (every transaction begins IMMEDIATE). PostgreSQL runs
    them side by side: two imports of one file would both see it new and both insert, and
    the unique index would fail the later one. A transaction-scoped advisory lock keyed on
    the file makes the later one wait and compare against what the first one stored."""
    if conn.dialect.name != "postgresql":
        return
    lock = int.from_bytes(hashlib.sha256(f"tracker-import:{key}".encode()).digest()[:8], "big")
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock - 2**63})


# The columns a file import writes; the rest (id, ended_at, end_reason) start empty.
_INSERTED = (
    "indicator",
    "area",
    "period_date",
    "value",
    "unit",
    "qualifier",
    "source",
    "note",
    "recorded_at",
    "recorded_by",
    "state",
    "source_file",
    "source_line",
    "revision_of",
    "confirmed",
)


def _insert_rows(
    conn: Connection,
    rows: ReadingTable,
    positions: np.ndarray,
    revision_of: list[int | None],
    *,
    by: str,
    at: datetime,
    key: str,
) -> None:
    """Insert rows[positions] as current readings: one driver-level executemany per batch.

    Each value goes through its column type's bind processing, as `insert(R)` would do,
    but once per distinct value rather than once per row, and without building a dict
    per row: the bulk of an import's time is then the database's own work.
    """
    if not len(positions):
        return
    dialect = conn.dialect
    if dialect.paramstyle not in ("qmark", "format", "pyformat"):  # pragma: no cover
        for i in range(0, len(positions), _BATCH):
            some = positions[i : i + _BATCH].tolist()
            conn.execute(
                insert(R),
                [
                    {**_row_dict(rows, j, by=by, at=at, key=key), "revision_of": r}
                    for j, r in zip(some, revision_of[i : i + _BATCH], strict=True)
                ],
            )
        return
    take = positions
    # Every row in file order (nothing to reorder): the columns as they are, uncopied.
    every = len(positions) == len(rows) and bool(np.array_equal(take, np.arange(len(rows))))
    # PostgreSQL takes a big file by COPY: each value bound, then made COPY text
    copy = dialect.name == "postgresql" and len(positions) >= _BIG_IMPORT
    values: dict[str, list[Any]] = {}
    for name in ("indicator", "area", "period_date", "unit", "qualifier", "source", "note"):
        column = getattr(rows, name)
        values[name] = _bound(dialect, name, column if every else column[take], as_text=copy)
    values["value"] = _bound(
        dialect, "value", rows.value if every else rows.value[take], as_text=copy
    )
    values["source_line"] = _bound(
        dialect, "source_line", rows.line if every else rows.line[take], as_text=copy
    )
    values["revision_of"] = (
        _each_distinct(np.asarray(revision_of, dtype=object), _copy_text) if copy else revision_of
    )
    values["confirmed"] = _bound(
        dialect, "confirmed", rows.confirmed if every else rows.confirmed[take], as_text=copy
    )
    constants = {
        "recorded_at": _bind_one(dialect, "recorded_at", at),
        "recorded_by": _bind_one(dialect, "recorded_by", by),
        "state": _bind_one(dialect, "state", "current"),
        "source_file": _bind_one(dialect, "source_file", key),
    }
    if copy:
        n = len(positions)
        _copy_rows(conn, [values.get(c) or [_copy_text(constants[c])] * n for c in _INSERTED])
        return
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(R.name)} ({', '.join(quote(c) for c in _INSERTED)}) "
        f"VALUES ({', '.join([mark] * len(_INSERTED))})"
    )
    for i in range(0, len(positions), _BATCH):
        part = slice(i, i + _BATCH)
        n = len(values["value"][part])
        batch: list[tuple[Any, ...]] = list(
            zip(
                *(values[c][part] if c in values else repeat(constants[c], n) for c in _INSERTED),
                strict=True,
            )
        )
        conn.exec_driver_sql(sql, batch)


def _copy_rows(conn: Connection, texts: list[list[str]]) -> None:
    """PostgreSQL: insert rows (`texts`: each column of _INSERTED as COPY text) with one
    COPY in text format, which the server takes at a fraction of the cost of an INSERT
    per row. A row that breaks the unique key fails as an INSERT would: an
    IntegrityError (sync._apply names it); a full disk is the OperationalError that
    faults.plain_fault words."""
    import psycopg

    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(R.name)} ({', '.join(quote(c) for c in _INSERTED)}) FROM STDIN"
    driver: Any = conn.connection.dbapi_connection
    lines = map("\t".join, zip(*texts, strict=True))
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            while part := list(islice(lines, _BATCH)):
                copy.write("".join(f"{line}\n" for line in part).encode())
    except psycopg.Error as e:  # wrapped as SQLAlchemy wraps it (a clash: IntegrityError)
        raise DBAPIError.instance(sql, None, e, psycopg.Error) from e


def _copy_text(value: Any) -> str:
    """One value as COPY's text format writes it (the driver's bound value: None, str,
    float, int, bool, date, datetime)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):  # and datetime: ISO 8601, with its offset
        return value.isoformat()
    text = str(value)
    for char, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(char, escaped)
    return text


def _processor(dialect: Any, name: str) -> Any:
    return R.c[name].type.dialect_impl(dialect).bind_processor(dialect)


def _bind_one(dialect: Any, name: str, value: Any) -> Any:
    process = _processor(dialect, name)
    return value if process is None else process(value)


def _bound(dialect: Any, name: str, column: Any, *, as_text: bool = False) -> list[Any]:
    """column's values as the driver receives them (`as_text`: as COPY text), each
    distinct value processed once."""
    process = _processor(dialect, name)
    if as_text:
        return _each_distinct(column, lambda v: _copy_text(v if process is None else process(v)))
    if process is None:
        return list(column.tolist())
    return _each_distinct(column, process)


def _each_distinct(column: np.ndarray, fn: Any) -> list[Any]:
    """fn of each value of `column` (an array), computed once per distinct value and
    once for None."""
    import pandas as pd

    codes, uniques = pd.factorize(column)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:] = [fn(u) for u in uniques.tolist()] + [fn(None)]  # code -1: None
    return list(table[codes].tolist())


def _row_dict(rows: ReadingTable, j: int, *, by: str, at: datetime, key: str) -> dict[str, Any]:
    return {
        "indicator": rows.indicator[j],
        "area": rows.area[j],
        "period_date": rows.period_date[j],
        "value": float(rows.value[j]),
        "unit": rows.unit[j],
        "qualifier": rows.qualifier[j],
        "source": rows.source[j],
        "note": rows.note[j],
        "recorded_at": at,
        "recorded_by": by,
        "state": "current",
        "source_file": key,
        "source_line": int(rows.line[j]),
        "confirmed": bool(rows.confirmed[j]),
    }
