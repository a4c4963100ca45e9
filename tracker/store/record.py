"""Record one reading: the one function every door calls (`tracker add`, the web form).

    >>> rec = record_reading(engine, program, {"indicator": "communes", "date": "2025-06",
    ...                                        "value": "91", "source": "census"}, by="cli:hanh")
    >>> rec.id, rec.row.value
    (12, 91.0)

A refusal is `ReadingRefused` (an InputError: exit 2). It carries one `FieldProblem` per
thing wrong, each naming its field (indicator, date, value, unit, area, source,
qualifier, note) with the sentence the CLI prints (`str(problem)` is "field: message").
When every problem is `held` (a 10x jump against the previous reading), `e.held` is
True: the same call with `confirm=True` records the reading, with its confirmation.

`correct_reading(engine, program, id, {"value": "92"}, by=..., reason=..., confirm=...)`
supersedes a reading by the same rules and the same refusal (`tracker correct`, the web's
correct form).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from tracker.errors import BadValue, Problem
from tracker.model import Program
from tracker.store.ledger import (
    R,
    _close,
    _load_current,
    current_with_key,
    file_advice,
    now_utc,
    row_values,
)
from tracker.store.neighbours import stored_neighbours
from tracker.store.rowcheck import RowChecker, RowData, value_text
from tracker.store.rules import CROSS_COLUMNS, FieldProblem, Rules, cross_problems

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

__all__ = ["ReadingRefused", "Recorded", "correct_reading", "record_reading"]


class ReadingRefused(BadValue):
    """A reading was not recorded. `field_problems`: what is wrong, field by field;
    `held`: True when only soft rules objected (record it again with confirm=True)."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.field_problems = list(problems)
        super().__init__([Problem("", None, None, str(p)) for p in self.field_problems])

    @property
    def held(self) -> bool:
        return bool(self.field_problems) and all(p.held for p in self.field_problems)

    def by_field(self) -> dict[str, list[str]]:
        """{field: [message, ...]}: what a form shows next to each field."""
        out: dict[str, list[str]] = {}
        for p in self.field_problems:
            out.setdefault(p.field, []).append(p.message)
        return out


@dataclass(frozen=True)
class Recorded:
    id: int
    row: RowData


def record_reading(
    engine: Engine,
    program: Program,
    fields: Mapping[str, str | None],
    *,
    by: str,
    locale: str = "en",
    confirm: bool = False,
    today: date | None = None,
) -> Recorded:
    """Check `fields` (text as typed: indicator, date, value, and optionally unit — the
    indicator's own by default —, area, source, qualifier, note) by every reading rule
    and record it; ReadingRefused lists each problem by field, store unchanged."""
    given = {k: (v or "") for k, v in fields.items() if k != "confirmed"}
    ind = program.indicators.get(given.get("indicator", "").strip())
    if not given.get("unit", "").strip() and ind is not None:
        given["unit"] = ind.unit
    row, problems = RowChecker(program, today=today).problems(given, locale=locale)
    if row is None:
        raise ReadingRefused(problems)
    row = replace(row, confirmed=confirm)
    try:
        return _record(engine, program, row, by=by, today=today)
    except IntegrityError:
        # Another writer recorded the same key between our check and our insert (the unique
        # index caught it); checking again now finds it and says which reading it is.
        return _record(engine, program, row, by=by, today=today)


def _record(
    engine: Engine, program: Program, row: RowData, *, by: str, today: date | None
) -> Recorded:
    with engine.begin() as conn:
        check_against_store(conn, program, row, today=today)
        new_id: int = conn.execute(
            insert(R)
            .values(**row_values(row, by=by, at=now_utc(), confirmed=row.confirmed))
            .returning(R.c.id)
        ).scalar_one()
        return Recorded(new_id, row)


# What a correction may change; the indicator is what the reading is about: to change
# it, retract the reading and add a new one.
CORRECTABLE = ("value", "date", "unit", "area", "source", "qualifier", "note")


def correct_reading(
    engine: Engine,
    program: Program,
    reading_id: int,
    fields: Mapping[str, str | None],
    *,
    by: str,
    reason: str | None = None,
    locale: str = "en",
    confirm: bool = False,
    today: date | None = None,
) -> Recorded:
    """Supersede reading `reading_id` with a revision checked by every rule `record_reading`
    applies (field rules, the reading key, part above whole, the 10x jump). `fields`: the
    CORRECTABLE fields as typed; a missing or None field keeps the reading's own. The old
    reading stays in history, ended with `reason`. A refusal is ReadingRefused (per field,
    `held` for a jump: call again with confirm=True); UnknownReading / BadValue when the
    reading is not current or came from a file. Nothing is written on any refusal."""
    unknown = sorted(k for k, v in fields.items() if v is not None and k not in CORRECTABLE)
    if unknown:
        raise ReadingRefused(
            [
                FieldProblem(
                    k,
                    f"the {k} of a reading cannot be corrected; retract the reading "
                    "and add a new one",
                )
                for k in unknown
            ]
        )
    attempt = partial(
        _correct,
        engine,
        program,
        reading_id,
        fields,
        by=by,
        reason=reason,
        locale=locale,
        confirm=confirm,
        today=today,
    )
    try:
        return attempt()
    except IntegrityError:
        # Another writer took the key meanwhile: checking again says which reading it is
        # (or that this one was corrected already).
        return attempt()


def _correct(
    engine: Engine,
    program: Program,
    reading_id: int,
    fields: Mapping[str, str | None],
    *,
    by: str,
    reason: str | None,
    locale: str,
    confirm: bool,
    today: date | None,
) -> Recorded:
    with engine.begin() as conn:
        old = _load_current(conn, reading_id, "correct")
        given = reading_fields(program, old)
        changes = {k: v for k, v in fields.items() if v is not None}
        given.update(changes)
        # The carried-over value is stored text in plain style, whatever the typed locale.
        row, problems = RowChecker(program, today=today).problems(
            given, locale=locale if "value" in changes else "en"
        )
        if row is None:
            raise ReadingRefused(problems)
        was = RowData(
            old.indicator,
            old.area,
            old.period_date,
            old.value,
            old.unit,
            old.source,
            old.qualifier,
            old.note,
        )
        if row.key == was.key and row.same_content(was):
            raise ReadingRefused(
                [
                    FieldProblem(
                        next(iter(changes), "value"),
                        f"the correction is the same as reading {reading_id}; nothing to change",
                    )
                ]
            )
        # A confirmation was given for a value on a date: it carries over while they stay.
        kept = bool(old.confirmed) and (row.key, row.value, row.unit) == (
            was.key,
            was.value,
            was.unit,
        )
        row = replace(row, confirmed=confirm or kept)
        check_against_store(
            conn,
            program,
            row,
            today=today,
            replacing=reading_id,
            confirm_how="tracker correct --confirm",
        )
        at = now_utc()
        _close(
            conn, [reading_id], "superseded", at, f"{(reason or '').strip() or 'corrected'} ({by})"
        )
        new_id: int = conn.execute(
            insert(R)
            .values(**row_values(row, by=by, at=at, revision_of=reading_id))
            .returning(R.c.id)
        ).scalar_one()
        return Recorded(new_id, row)


def reading_fields(program: Program, row: Any) -> dict[str, str]:
    """A stored reading as the text fields a person types (what a correction starts from)."""
    ind = program.indicators.get(row.indicator)
    return {
        "indicator": row.indicator,
        "area": row.area,
        "date": row.period_date.isoformat(),
        "value": value_text(row.value, ind is not None and ind.kind == "milestone"),
        "unit": row.unit,
        "source": row.source,
        "qualifier": row.qualifier or "",
        "note": row.note or "",
    }


def check_against_store(
    conn: Connection,
    program: Program,
    row: RowData,
    *,
    today: date | None,
    replacing: int | None = None,
    confirm_how: str | None = None,
) -> None:
    """The rules that compare one checked reading with the store's current readings: its
    key is free, no part above its whole, no unconfirmed 10x jump. `replacing`: the id of
    the reading a correction supersedes (not a neighbour of its own revision)."""
    import pandas as pd

    clash = current_with_key(conn, row)
    if clash is not None and clash.id != replacing:
        how = (
            file_advice(clash.source_file, clash.source_line)
            if clash.source_file
            else f"to change it use `tracker correct {clash.id} VALUE`"
        )
        raise ReadingRefused(
            [
                FieldProblem(
                    "date",
                    f"{row.indicator} for {row.area} on {row.period_date.isoformat()} is "
                    f"already recorded as reading {clash.id}; {how}",
                )
            ]
        )
    batch = pd.DataFrame(
        [
            {
                **{c: getattr(row, c) for c in CROSS_COLUMNS},
                "confirmed": row.confirmed,
                "pos": 0,
                "where": "this reading",
            }
        ]
    )
    stored = stored_neighbours(
        conn, program, [row.indicator], areas=[row.area], except_id=replacing
    )
    door = {} if confirm_how is None else {"confirm_how": confirm_how}
    found = cross_problems(Rules(program, today=today), batch, stored, **door).get(0)
    if found:
        raise ReadingRefused(found)
