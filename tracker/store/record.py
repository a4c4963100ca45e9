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

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
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
from tracker.store.rowcheck import RowChecker, RowData, value_text
from tracker.store.rules import CROSS_COLUMNS, FieldProblem, Rules, cross_problems

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from sqlalchemy import Select
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


def related(program: Program, indicators: Iterable[str]) -> set[str]:
    """The indicators whose readings the cross-reading rules compare with `indicators`':
    themselves, and the other side of every numerator / denominator pair."""
    keys = set(indicators)
    partners = share_partners(program)
    return keys.union(*(partners.get(k, ()) for k in keys))


def share_partners(program: Program) -> dict[str, set[str]]:
    """Each count that is part of a share (`ratio_of`) -> the other side(s) it is compared
    with: a numerator's denominators and a denominator's numerators."""
    partners: dict[str, set[str]] = {}
    for ind in program.indicators.values():
        if ind.ratio_of:
            numerator, denominator = ind.ratio_of
            partners.setdefault(numerator, set()).add(denominator)
            partners.setdefault(denominator, set()).add(numerator)
    return partners


def stored_neighbours(
    conn: Connection,
    program: Program,
    indicators: Iterable[str],
    *,
    areas: Iterable[str] | None = None,
    except_file: str | None = None,
    except_id: int | None = None,
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
    if except_id is not None:
        q = q.where(R.c.id != except_id)
    return _named(pd.DataFrame(conn.execute(q).all(), columns=["id", *CROSS_COLUMNS]))


_DAY_BITS = 32  # a (key, day) pair as one int64: key << 32 | day ordinal (< 2**22)
_CHUNK = 100_000  # stored rows looked at at once


def nearest_stored(
    conn: Connection,
    program: Program,
    batch: pd.DataFrame,
    *,
    except_file: str | None = None,
    whole_store: bool | None = None,
) -> pd.DataFrame:
    """The stored readings the cross-reading rules can compare the new rows of `batch`
    with (columns as `stored_neighbours`), and no others.

    Those rules (rules.cross_problems) compare a new reading with the reading just before
    it of the same indicator and area, and with its share partner (numerator or
    denominator) on the same area and date. So for each new row this keeps the latest
    stored reading of its indicator and area dated before it, and the stored reading of
    each partner on its area and date: at most a few per new row, whatever the store
    holds. (Handing the rules every stored reading of the file's indicators instead made
    the tenth file of a national import hold nine million readings: 6 GB.)

    A small batch reads the stored readings of its indicators and areas. A big one
    (`whole_store`; by default from _WHOLE_STORE new rows) names nearly every indicator
    and area anyway: it reads every current reading once, in the order of the covering
    index `ix_reading_assess` (no table row fetched), a chunk at a time, as the driver
    gives them (no SQLAlchemy row per reading: at national scale the read is most of an
    import's checking time).
    """
    import numpy as np
    import pandas as pd
    from sqlalchemy import String, type_coerce

    new = batch[batch["new"]] if "new" in batch.columns else batch
    columns = ["id", *CROSS_COLUMNS]
    if new.empty:
        return _named(pd.DataFrame(columns=columns))
    partners = share_partners(program)
    new_ind = new["indicator"].to_numpy(object).tolist()
    new_area = new["area"].to_numpy(object).tolist()
    day_codes, day_texts = pd.factorize(new["period_date"])
    new_day = np.array([_ordinal(d) for d in day_texts.tolist()], dtype=np.int64)[day_codes]
    partner_keys = [
        (p, a, d)
        for i, a, d in zip(new_ind, new_area, new_day.tolist(), strict=True)
        for p in partners.get(i, ())
    ]
    # Each (indicator, area) numbered in the covering index's order (area, then
    # indicator): a chunk of the whole-store read then spans a narrow range of numbers.
    needed = set(zip(new_area, new_ind, strict=True)) | {(a, p) for p, a, _ in partner_keys}
    keys = {(ind, area): n for n, (area, ind) in enumerate(sorted(needed))}
    wanted = np.array([keys[k] for k in zip(new_ind, new_area, strict=True)], dtype=np.int64)
    wanted = (wanted << _DAY_BITS) | new_day
    by_wanted = np.argsort(wanted, kind="stable")
    wanted_sorted = wanted[by_wanted]
    exact = np.unique(
        np.array([(keys[p, a] << _DAY_BITS) | d for p, a, d in partner_keys], dtype=np.int64)
    )
    best = np.full(len(new), -1, dtype=np.int64)  # each new row's nearest earlier: (key, day)
    best_row = np.empty((len(new), 6), dtype=object)  # ... and that stored row
    found: list[np.ndarray] = []  # stored partners on a new row's area and date
    q = select(
        R.c.id,
        R.c.indicator,
        R.c.area,
        type_coerce(R.c.period_date, String).label("period_date"),  # as the driver gives it
        R.c.value,
        R.c.unit,
    ).where(R.c.state == "current")
    if not (len(new) >= _WHOLE_STORE if whole_store is None else whole_store):
        q = q.where(R.c.indicator.in_(sorted(related(program, set(new_ind)))))
        areas = set(new_area)
        if len(areas) <= _AREAS_NAMED:
            q = q.where(R.c.area.in_(sorted(areas)))
    own = _current_ids(conn, except_file) if except_file is not None else None
    with _driver_cursor(conn, q) as cursor:
        while chunk := cursor.fetchmany(_CHUNK):
            rows = np.empty((len(chunk), 6), dtype=object)
            rows[:] = chunk
            if own is not None and len(own):
                rows = rows[~_in_sorted(rows[:, 0].astype(np.int64), own)]
            ind, ind_u = pd.factorize(rows[:, 1])
            area, area_u = pd.factorize(rows[:, 2])
            pairs, pair_u = pd.factorize(ind * len(area_u) + area)
            known = np.array(
                [keys.get((ind_u[i // len(area_u)], area_u[i % len(area_u)]), -1) for i in pair_u],
                dtype=np.int64,
            )[pairs]
            days, day_u = pd.factorize(rows[:, 3])
            day = np.array([_ordinal(u) for u in day_u.tolist()], dtype=np.int64)[days]
            mine = np.flatnonzero(known >= 0)
            if not len(mine):
                continue
            at = (known[mine] << _DAY_BITS) | day[mine]
            order = np.argsort(at, kind="stable")
            at, mine = at[order], mine[order]
            # the latest stored row of the same key dated before each new row, for the
            # new rows whose keys lie in this chunk's range
            lo = np.searchsorted(wanted_sorted, (at[0] >> _DAY_BITS) << _DAY_BITS)
            hi = np.searchsorted(wanted_sorted, ((at[-1] >> _DAY_BITS) + 1) << _DAY_BITS)
            some, which = wanted_sorted[lo:hi], by_wanted[lo:hi]
            before = np.searchsorted(at, some, side="left") - 1
            candidate = at[np.maximum(before, 0)]
            same_key = (before >= 0) & ((candidate >> _DAY_BITS) == (some >> _DAY_BITS))
            better = np.flatnonzero(same_key & (candidate > best[which]))
            best[which[better]] = candidate[better]
            best_row[which[better]] = rows[mine[before[better]]]
            if len(exact):
                found.append(rows[mine[_in_sorted(at, exact)]])
    kept = [best_row[best >= 0], *found]
    every = np.concatenate(kept) if kept else np.empty((0, 6), dtype=object)
    frame = pd.DataFrame(every, columns=columns).drop_duplicates("id")
    frame["period_date"] = [_as_day(d) for d in frame["period_date"].tolist()]
    frame["value"] = frame["value"].astype(np.float64)
    return _named(frame.reset_index(drop=True))


_WHOLE_STORE = 20_000  # new rows from which nearest_stored reads every current reading
_AREAS_NAMED = 500  # areas a smaller batch names in its query; more: all areas are read


@contextmanager
def _driver_cursor(conn: Connection, q: Select[Any]) -> Iterator[Any]:
    """`q` run on a cursor of the driver itself, in `conn`'s transaction: its rows are
    plain tuples of the driver's values, fetched as the caller asks (PostgreSQL: a
    server-side cursor, so a big result is never held whole)."""
    compiled = q.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params: Any = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    driver = conn.connection.dbapi_connection
    assert driver is not None
    postgres = conn.dialect.name == "postgresql"
    cursor = driver.cursor(name="tracker_nearest_stored") if postgres else driver.cursor()
    try:
        cursor.execute(str(compiled), params)
        yield cursor
    finally:
        cursor.close()


def _current_ids(conn: Connection, source_file: str) -> np.ndarray:
    """Ids of the current readings a file put in the store, sorted."""
    import numpy as np

    q = select(R.c.id).where(R.c.source_file == source_file, R.c.state == "current")
    return np.sort(np.array(conn.execute(q).scalars().all(), dtype=np.int64))


def _in_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Whether each of `values` is in `sorted_set` (sorted, unique): np.isin by bisection,
    without sorting the two together on every call."""
    import numpy as np

    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return np.asarray(sorted_set[at] == values)


def _ordinal(day: Any) -> int:
    return _as_day(day).toordinal()


def _as_day(day: Any) -> date:
    return date.fromisoformat(day[:10]) if isinstance(day, str) else day


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    frame["where"] = "reading " + frame["id"].astype(str)
    return frame.drop(columns="id")
