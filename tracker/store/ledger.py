"""Record, correct and retract single readings. Nothing is overwritten: a correction is a new
revision that supersedes the old one, a retraction closes it; both stay in history.

    >>> rid = add_reading(engine, row, by="cli:hanh")
    >>> new_id = correct_reading(engine, program, rid, {"value": "85.2"}, by="cli:hanh")
    >>> retract_reading(engine, new_id, reason="double-counted", by="cli:hanh")

Readings imported from a file are corrected by editing the file (the next import turns
the edit into a correction); the CLI refuses to fork them and says which line to edit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection, Engine

from tracker.errors import BadValue, Problem, UnknownReading
from tracker.model import Program
from tracker.store.models import Reading
from tracker.store.rowcheck import RowChecker, RowData, value_text

R = Reading.__table__  # type: ignore[attr-defined]


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


def _load_current(conn: Connection, reading_id: int, verb: str) -> Any:
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
) -> int:
    """Supersede reading `reading_id` with a revision; `changes` are fields as typed
    (value, date, unit, source, area, qualifier, note); the rest are carried over."""
    with engine.begin() as conn:
        old = _load_current(conn, reading_id, "correct")
        ind = program.indicators.get(old.indicator)
        fields = {
            "indicator": old.indicator,
            "area": old.area,
            "date": old.period_date.isoformat(),
            "value": value_text(old.value, ind is not None and ind.kind == "milestone"),
            "unit": old.unit,
            "source": old.source,
            "qualifier": old.qualifier or "",
            "note": old.note or "",
        }
        value_locale = locale if "value" in changes else "en"
        fields.update({k: v for k, v in changes.items() if v is not None})
        row, errors = RowChecker(program).check(fields, locale=value_locale)
        if row is None:
            raise BadValue([Problem("", None, None, e) for e in errors])
        unchanged = RowData(
            old.indicator,
            old.area,
            old.period_date,
            old.value,
            old.unit,
            old.source,
            old.qualifier,
            old.note,
        )
        if row.key == unchanged.key and row.same_content(unchanged):
            raise BadValue(f"the correction is the same as reading {reading_id}; nothing to change")
        if row.key != unchanged.key:
            clash = current_with_key(conn, row)
            if clash is not None:
                raise BadValue(
                    f"{row.indicator} for {row.area} on {row.period_date.isoformat()} "
                    f"is already recorded as reading {clash.id}; correct that one"
                )
        at = now_utc()
        _close(
            conn, [reading_id], "superseded", at, f"{changes.get('reason') or 'corrected'} ({by})"
        )
        return conn.execute(
            insert(R)
            .values(**row_values(row, by=by, at=at, revision_of=reading_id))
            .returning(R.c.id)
        ).scalar_one()


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
