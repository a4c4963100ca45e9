"""Record, correct and retract single readings. Nothing is overwritten: a correction is a new
revision that supersedes the old one, a retraction closes it; both stay in history.

    >>> rid = add_reading(engine, row, by="cli:hanh")
    >>> new_id = correct_reading(engine, program, rid, {"value": "85.2"}, by="cli:hanh")
    ...     # (store.record.correct_reading: the same, returning the checked row too)
    >>> retract_reading(engine, new_id, reason="double-counted", by="cli:hanh")

Readings imported from a file are corrected by editing the file (the next import turns
the edit into a correction); the CLI refuses to fork them and says which line to edit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection, Engine

from tracker.errors import BadValue, UnknownReading
from tracker.model import Program
from tracker.store.rowcheck import RowData
from tracker.store.tables import reading

R = reading


def now_utc() -> datetime:
    return datetime.now(UTC)


def row_values(row: RowData, *, by: str, at: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "indicator": row.indicator,
        "area": row.area,
        "period_date": row.period_date,
        "value": row.value,
        "unit": row.unit,
        "qualifier": row.qualifier,
        "source": row.source,
        "note": row.note,
        "recorded_at": at,
        "recorded_by": by,
        "state": "current",
        "confirmed": row.confirmed,
        **extra,
    }


def file_advice(source_file: str, source_line: int | None) -> str:
    """The one sentence for a reading that came from a file: change the file, not the store."""
    return (
        f"it comes from line {source_line} of the reading file {source_file}: edit that line "
        "(or delete it) and run `tracker import`, so the file and the store stay the same"
    )


def current_with_key(conn: Connection, row: RowData) -> Any:
    return conn.execute(
        select(R.c.id, R.c.source_file, R.c.source_line).where(
            and_(
                R.c.state == "current",
                R.c.indicator == row.indicator,
                R.c.area == row.area,
                R.c.period_date == row.period_date,
            )
        )
    ).first()


def add_reading(engine: Engine, row: RowData, *, by: str) -> int:
    """Record one already-checked reading (tests, tools); people's readings go through
    `store.record.record_reading`, which applies every rule first."""
    with engine.begin() as conn:
        new_id: int = conn.execute(
            insert(R).values(**row_values(row, by=by, at=now_utc())).returning(R.c.id)
        ).scalar_one()
        return new_id


# Ids are 64-bit integers in both databases; a larger number typed on the command line
# names no reading (and would overflow the driver rather than find nothing).
MAX_ID = 2**63 - 1


def _load_current(conn: Connection, reading_id: int, verb: str) -> Any:
    if not 0 < reading_id <= MAX_ID:
        raise UnknownReading(
            f"there is no reading {reading_id}; `tracker readings` lists them with their ids"
        )
    old = conn.execute(select(R).where(R.c.id == reading_id)).first()
    if old is None:
        raise UnknownReading(
            f"there is no reading {reading_id}; `tracker readings` lists them with their ids"
        )
    if old.state != "current":
        if old.state == "superseded":
            newer = conn.execute(select(R.c.id).where(R.c.revision_of == reading_id)).scalar()
            raise UnknownReading(
                f"reading {reading_id} was already corrected (by reading "
                f"{newer}); {verb} reading {newer} instead"
            )
        raise UnknownReading(
            f"reading {reading_id} was retracted on "
            f"{old.ended_at:%Y-%m-%d %H:%M} UTC; add a new reading instead"
        )
    if old.source_file:
        raise BadValue(
            f"reading {reading_id} cannot be {verb}ed here: "
            + file_advice(old.source_file, old.source_line)
        )
    return old


def correct_reading(
    engine: Engine,
    program: Program,
    reading_id: int,
    changes: dict[str, str],
    *,
    by: str,
    locale: str = "en",
    confirm: bool = False,
) -> int:
    """The revision's id; `changes` are fields as typed plus an optional "reason". Kept for
    callers of this name: `store.record.correct_reading` does the work, by every rule."""
    from tracker.store.record import correct_reading as correct

    fields = {k: v for k, v in changes.items() if k != "reason"}
    return correct(
        engine,
        program,
        reading_id,
        fields,
        by=by,
        reason=changes.get("reason"),
        locale=locale,
        confirm=confirm,
    ).id


def retract_reading(engine: Engine, reading_id: int, *, reason: str, by: str) -> None:
    """Withdraw a reading: it no longer counts, and stays in history with the reason."""
    if not reason.strip():
        raise BadValue("say why the reading is retracted (--reason)")
    with engine.begin() as conn:
        _load_current(conn, reading_id, "retract")
        _close(conn, [reading_id], "retracted", now_utc(), f"{reason.strip()} ({by})")


def _close(conn: Connection, ids: list[int], state: str, at: datetime, reason: str) -> None:
    # The one update the ledger allows: ending a row's validity. Values stay as they were.
    for i in range(0, len(ids), 500):
        conn.execute(
            update(R)
            .where(R.c.id.in_(ids[i : i + 500]), R.c.state == "current")
            .values(state=state, ended_at=at, end_reason=reason)
        )


def editable_reading(engine: Engine, reading_id: int, verb: str) -> Any:
    """The current reading `reading_id`, or the refusal `verb` ("correct", "retract") would
    meet: unknown, already corrected or retracted, or from a file (edit that line)."""
    with engine.connect() as conn:
        return _load_current(conn, reading_id, verb)
