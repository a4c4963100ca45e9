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

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from tracker.errors import Problem, ReadingsFileError
from tracker.model import Program
from tracker.store.ledger import R, _close, now_utc, row_values
from tracker.store.models import ImportedFile
from tracker.store.readingfile import RowData, decode_utf8, parse_reading_text

F = ImportedFile.__table__  # type: ignore[attr-defined]
_BATCH = 50_000


@dataclass
class SyncResult:
    file: str  # as shown to the user
    added: int = 0
    corrected: int = 0
    retracted: int = 0
    unchanged: int = 0
    skipped: bool = False  # the file had not changed since the last import
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
                sync_file(engine, program, path, file_key(path, actuals_dir), shown, by=by)
            )
        except ReadingsFileError as e:
            results.append(SyncResult(shown, problems=e.problems, summary=e.summary))
    return results


def sync_file(
    engine: Engine, program: Program, path: Path, key: str, shown: str, *, by: str = "import"
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
    if known is not None and known.sha256 == sha:
        with engine.begin() as conn:
            conn.execute(
                F.update().where(F.c.path == key).values(mtime_ns=st.st_mtime_ns, size=st.st_size)
            )
        return SyncResult(shown, unchanged=known.rows, skipped=True)
    rows = parse_reading_text(decode_utf8(raw, shown), shown, program)
    return _apply(engine, rows, key, shown, by=f"{by}:{key}", sha=sha, st=st)


def _apply(
    engine: Engine,
    rows: list[RowData],
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
                    R.c.source_line,
                ).where(R.c.source_file == key, R.c.state == "current")
            )
        }
        new_rows: list[dict[str, Any]] = []
        superseded: list[int] = []
        for row in rows:
            old = current.pop(row.key, None)
            if old is None:
                new_rows.append(
                    row_values(row, by=by, at=at, source_file=key, source_line=row.line)
                )
                result.added += 1
            elif (old.value, old.unit, old.source, old.qualifier, old.note) != (
                row.value,
                row.unit,
                row.source,
                row.qualifier,
                row.note,
            ):
                superseded.append(old.id)
                new_rows.append(
                    row_values(
                        row, by=by, at=at, source_file=key, source_line=row.line, revision_of=old.id
                    )
                )
                result.corrected += 1
            else:
                result.unchanged += 1
        gone = [r.id for r in current.values()]
        result.retracted = len(gone)
        # Close first, then insert: at every instant of the transaction there is at most
        # one current revision per key.
        _close(conn, superseded, "superseded", at, f"changed in {shown}")
        _close(conn, gone, "retracted", at, f"removed from {shown}")
        for i in range(0, len(new_rows), _BATCH):
            conn.execute(insert(R), new_rows[i : i + _BATCH])
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
