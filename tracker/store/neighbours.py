"""The stored readings the cross-reading rules (rules.py) compare new readings with.

Those rules compare a new reading with the reading just before it of the same indicator
and area, and with its share partner (the numerator or denominator of a `ratio_of`) on
the same area and date. So a new reading needs at most a few stored ones, whatever the
store holds:

- `stored_neighbours` reads every current reading of some indicators (and areas): for
  one reading (`tracker add`, the web form), a handful of rows;
- `nearest_stored` asks the store, for each new row of a file, for exactly the reading
  just before it and its partners: one index probe per new row, so a file's check costs
  the same in a store of a thousand readings as in one of ten million (reading the
  whole store instead cost the tenth file of a national import 44 s: benchmarks/README.md,
  "The national import").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from tracker.model import Program
from tracker.store.ledger import R
from tracker.store.rules import CROSS_COLUMNS

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from sqlalchemy.engine import Connection

__all__ = ["nearest_stored", "related", "share_partners", "stored_neighbours"]


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
    """Every current reading of `indicators` and their share partners (in `areas`)."""
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


_CHUNK = 100_000  # keys asked for in one query


def nearest_stored(
    conn: Connection, program: Program, batch: pd.DataFrame, *, except_file: str | None = None
) -> pd.DataFrame:
    """The stored readings the cross-reading rules compare the new rows of `batch` with
    (columns as `stored_neighbours`), and no others: for each new row, the latest current
    reading of its indicator and area dated before it, and the current reading of each of
    its share partners on its area and date.

    Readings of `except_file` are left out: the batch holds that file's rows, as they are
    now. (Each is found by the same probe, then stepped over: the probe asks again from
    its date, for the few new rows whose nearest stored reading was the file's own.)

    Each probe is a search of the covering index `ix_reading_assess` (area, indicator,
    date): no table row is read, and the keys go to the database as one parameter per
    query, sorted in the index's order.
    """
    import numpy as np
    import pandas as pd

    new = batch[batch["new"]] if "new" in batch.columns else batch
    columns = ["id", *CROSS_COLUMNS]
    if new.empty:
        return _named(pd.DataFrame(columns=columns))
    partners = share_partners(program)
    day_codes, day_values = pd.factorize(new["period_date"])
    days = np.array([_as_day(d) for d in day_values.tolist()], dtype=object)[day_codes]
    keys = list(zip(new["area"].tolist(), new["indicator"].tolist(), days.tolist(), strict=True))
    exact = {(a, p, d) for a, i, d in keys for p in partners.get(i, ())}
    own = _current_ids(conn, except_file) if except_file is not None else np.empty(0, np.int64)
    found: list[np.ndarray] = []
    todo = sorted(set(keys))
    while todo:  # each round's dates are earlier than the last's: it ends
        rows, asked = _probe(conn, todo, before=True)
        mine = _in_sorted(rows[:, 1].astype(np.int64), own)
        found.append(rows[~mine])
        stepped = zip(asked[mine], rows[mine, 4], strict=True)  # from their own readings
        todo = sorted((a, i, _as_day(d)) for (a, i, _), d in stepped)
    rows, _ = _probe(conn, sorted(exact), before=False)
    found.append(rows[~_in_sorted(rows[:, 1].astype(np.int64), own)])
    every = np.concatenate(found)[:, 1:]
    frame = pd.DataFrame(every, columns=columns).drop_duplicates("id")
    frame["period_date"] = [_as_day(d) for d in frame["period_date"].tolist()]
    frame["value"] = frame["value"].astype(np.float64)
    return _named(frame.reset_index(drop=True))


def _probe(
    conn: Connection, keys: Sequence[tuple[str, str, date]], *, before: bool
) -> tuple[np.ndarray, np.ndarray]:
    """For each key (area, indicator, day): the current reading of that area and
    indicator on that day, or (`before`) the latest one dated before it.

    Returns the readings found, as rows (n, id, indicator, area, period_date, value, unit)
    with n the key's position in `keys`, and the key of each row."""
    import numpy as np

    driver = conn.connection.dbapi_connection
    assert driver is not None
    postgres = conn.dialect.name == "postgresql"
    sql = _probe_sql(conn, before=before)
    out: list[Any] = []
    cursor = driver.cursor()
    try:
        for start in range(0, len(keys), _CHUNK):
            part = keys[start : start + _CHUNK]
            if postgres:
                params: Any = tuple(list(c) for c in zip(*part, strict=True))
            else:
                import json

                params = (json.dumps([[a, i, d.isoformat()] for a, i, d in part]),)
            cursor.execute(sql, params)
            out.extend((start + n, *rest) for n, *rest in cursor.fetchall())
    finally:
        cursor.close()
    rows = np.empty((len(out), 7), dtype=object)
    rows[:] = out if out else np.empty((0, 7), dtype=object)
    asked = np.empty(len(out), dtype=object)
    asked[:] = [keys[n] for n in rows[:, 0].tolist()]
    return rows, asked


def _probe_sql(conn: Connection, *, before: bool) -> str:
    """The probe's SQL for conn's database: the keys are a JSON array of [area,
    indicator, day] (SQLite) or three arrays (PostgreSQL), n counts them from 0."""
    table = conn.dialect.identifier_preparer.quote(R.name)
    got = "r.id, r.indicator, r.area, r.period_date, r.value, r.unit"
    if conn.dialect.name == "postgresql":
        when = (
            "x.period_date < k.d ORDER BY x.period_date DESC LIMIT 1"
            if before
            else "x.period_date = k.d"
        )
        return (
            f"SELECT k.n - 1, {got} "
            "FROM unnest(%s::text[], %s::text[], %s::date[]) WITH ORDINALITY AS k(area, "
            "indicator, d, n) "
            f"CROSS JOIN LATERAL (SELECT x.id, x.indicator, x.area, x.period_date, x.value, "
            f"x.unit FROM {table} AS x WHERE x.area = k.area AND x.indicator = k.indicator "
            f"AND x.state = 'current' AND {when}) AS r"
        )
    # Named: for the exact match SQLite would take the unique key (indicator, area, date),
    # which does not cover the columns read, and fetch every row found from the table.
    index = conn.dialect.identifier_preparer.quote("ix_reading_assess")
    day = (
        "k.d"
        if not before
        else (
            f"(SELECT max(x.period_date) FROM {table} AS x WHERE x.area = k.area "
            "AND x.indicator = k.indicator AND x.state = 'current' AND x.period_date < k.d)"
        )
    )
    return (
        "WITH k(n, area, indicator, d) AS (SELECT key, json_extract(value, '$[0]'), "
        "json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?)) "
        f"SELECT k.n, {got} FROM k JOIN {table} AS r INDEXED BY {index} ON r.area = k.area "
        f"AND r.indicator = k.indicator AND r.state = 'current' AND r.period_date = {day}"
    )


def _current_ids(conn: Connection, source_file: str) -> np.ndarray:
    """Ids of the current readings a file put in the store, sorted."""
    import numpy as np

    q = select(R.c.id).where(R.c.source_file == source_file, R.c.state == "current")
    return np.sort(np.array(conn.execute(q).scalars().all(), dtype=np.int64))


def _in_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Whether each of `values` is in `sorted_set` (sorted, unique): np.isin by bisection."""
    import numpy as np

    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return np.asarray(sorted_set[at] == values)


def _as_day(day: Any) -> date:
    return date.fromisoformat(day[:10]) if isinstance(day, str) else day


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    frame["where"] = "reading " + frame["id"].astype(str)
    return frame.drop(columns="id")
