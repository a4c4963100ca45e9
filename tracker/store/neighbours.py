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

from collections.abc import Iterable
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
    area = new["area"].to_numpy(object)
    indicator = new["indicator"].to_numpy(object)
    day_codes, day_values = pd.factorize(new["period_date"])
    day = np.array([_as_day(d).toordinal() for d in day_values.tolist()], np.int64)[day_codes]
    own = _current_ids(conn, except_file) if except_file is not None else np.empty(0, np.int64)
    found: list[np.ndarray] = []
    todo = _Keys(area, indicator, day)
    while todo.size:  # each round's days are earlier than the last's: it ends
        rows = _probe(conn, todo, before=True)
        mine = _in_sorted(rows[:, 0].astype(np.int64), own)
        found.append(rows[~mine])
        stepped = rows[mine]  # the file's own: ask again from their days
        days = [_as_day(d).toordinal() for d in stepped[:, 3].tolist()]
        todo = _Keys(stepped[:, 2], stepped[:, 1], np.array(days, np.int64))
    partners = share_partners(program)
    of = [(n, p) for n, i in enumerate(indicator.tolist()) for p in partners.get(i, ())]
    at = np.array([n for n, _ in of], np.int64)
    partner = np.empty(len(of), dtype=object)
    partner[:] = [p for _, p in of]
    rows = _probe(conn, _Keys(area[at], partner, day[at]), before=False)
    found.append(rows[~_in_sorted(rows[:, 0].astype(np.int64), own)])
    frame = pd.DataFrame(np.concatenate(found), columns=columns).drop_duplicates("id")
    frame["period_date"] = [_as_day(d) for d in frame["period_date"].tolist()]
    frame["value"] = frame["value"].astype(np.float64)
    return _named(frame.reset_index(drop=True))


class _Keys:
    """Keys to probe: (area, indicator, day as a date ordinal), sorted in the order of
    the index searched, so that successive probes read neighbouring pages."""

    def __init__(self, area: np.ndarray, indicator: np.ndarray, day: np.ndarray) -> None:
        import numpy as np
        import pandas as pd

        order = np.lexsort(
            (day, pd.factorize(indicator, sort=True)[0], pd.factorize(area, sort=True)[0])
        )
        self.area, self.indicator, self.day = area[order], indicator[order], day[order]
        self.size = len(order)

    def part(self, start: int, stop: int, *, as_text: bool) -> tuple[list[Any], ...]:
        """Keys start..stop as three lists; days as dates, or as ISO texts."""
        import numpy as np

        ordinals, at = np.unique(self.day[start:stop], return_inverse=True)
        days = [date.fromordinal(o) for o in ordinals.tolist()]
        table = np.empty(len(days), dtype=object)
        table[:] = [d.isoformat() for d in days] if as_text else days
        return (
            self.area[start:stop].tolist(),
            self.indicator[start:stop].tolist(),
            table[at].tolist(),
        )


def _probe(conn: Connection, keys: _Keys, *, before: bool) -> np.ndarray:
    """For each key: the current reading of that area and indicator on that day, or
    (`before`) the latest one dated before it, as rows (id, indicator, area,
    period_date, value, unit)."""
    import json

    import numpy as np

    driver = conn.connection.dbapi_connection
    assert driver is not None
    postgres = conn.dialect.name == "postgresql"
    sql = _probe_sql(conn, before=before)
    out: list[Any] = []
    cursor = driver.cursor()
    try:
        for start in range(0, keys.size, _CHUNK):
            part = keys.part(start, start + _CHUNK, as_text=not postgres)
            params = part if postgres else (json.dumps(list(zip(*part, strict=True))),)
            cursor.execute(sql, params)
            out.extend(cursor.fetchall())
    finally:
        cursor.close()
    rows = np.empty((len(out), 6), dtype=object)
    if out:
        rows[:] = out
    return rows


def _probe_sql(conn: Connection, *, before: bool) -> str:
    """The probe's SQL for conn's database: the keys are a JSON array of [area,
    indicator, day] (SQLite) or three arrays (PostgreSQL)."""
    table = conn.dialect.identifier_preparer.quote(R.name)
    got = "r.id, r.indicator, r.area, r.period_date, r.value, r.unit"
    if conn.dialect.name == "postgresql":
        when = (
            "x.period_date < k.d ORDER BY x.period_date DESC LIMIT 1"
            if before
            else "x.period_date = k.d"
        )
        return (
            f"SELECT {got} "
            "FROM unnest(%s::text[], %s::text[], %s::date[]) AS k(area, indicator, d) "
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
        "WITH k(area, indicator, d) AS (SELECT json_extract(value, '$[0]'), "
        "json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?)) "
        f"SELECT {got} FROM k JOIN {table} AS r INDEXED BY {index} ON r.area = k.area "
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
