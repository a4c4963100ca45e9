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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from tracker.errors import BadValue, Problem
from tracker.model import Program
from tracker.store.ledger import R, current_with_key, file_advice, now_utc, row_values
from tracker.store.rowcheck import RowChecker, RowData
from tracker.store.rules import CROSS_COLUMNS, FieldProblem, Rules, cross_problems

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.engine import Connection, Engine

__all__ = ["ReadingRefused", "Recorded", "record_reading"]


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
    import pandas as pd

    with engine.begin() as conn:
        clash = current_with_key(conn, row)
        if clash is not None:
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
        stored = stored_neighbours(conn, program, [row.indicator], areas=[row.area])
        found = cross_problems(Rules(program, today=today), batch, stored).get(0)
        if found:
            raise ReadingRefused(found)
        new_id: int = conn.execute(
            insert(R)
            .values(**row_values(row, by=by, at=now_utc(), confirmed=row.confirmed))
            .returning(R.c.id)
        ).scalar_one()
        return Recorded(new_id, row)


def related(program: Program, indicators: Iterable[str]) -> set[str]:
    """The indicators whose readings the cross-reading rules compare with `indicators`':
    themselves, and the other side of every numerator / denominator pair."""
    keys = set(indicators)
    for ind in program.indicators.values():
        if ind.ratio_of and keys & set(ind.ratio_of):
            keys |= set(ind.ratio_of)
    return keys


def stored_neighbours(
    conn: Connection,
    program: Program,
    indicators: Iterable[str],
    *,
    areas: Iterable[str] | None = None,
    except_file: str | None = None,
) -> pd.DataFrame:
    """Current readings the cross-reading rules compare a batch with (see rules.py)."""
    import pandas as pd

    q = select(R.c.id, R.c.indicator, R.c.area, R.c.period_date, R.c.value, R.c.unit).where(
        R.c.state == "current", R.c.indicator.in_(sorted(related(program, indicators)))
    )
    if areas is not None:
        q = q.where(R.c.area.in_(sorted(set(areas))))
    if except_file is not None:
        q = q.where((R.c.source_file != except_file) | R.c.source_file.is_(None))
    frame = pd.DataFrame(conn.execute(q).all(), columns=["id", *CROSS_COLUMNS])
    frame["where"] = "reading " + frame["id"].astype(str)
    return frame.drop(columns="id")
