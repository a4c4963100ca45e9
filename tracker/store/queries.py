"""Readings out of the store: as a DataFrame for assessment, as rows for people and export.

    >>> frame = readings_frame(engine, program, as_of=date(2025, 12, 31))
    >>> frame = readings_frame(engine, program, known_at=datetime(2025, 7, 1, tzinfo=UTC))

"as of D" keeps readings describing days up to D; "as known at T" keeps the revisions
the store held at moment T (later corrections and retractions not yet made), so a past
report can be rebuilt exactly. Values come out in each indicator's unit, and a share
(`ratio_of`) is computed from its two counts on the same date and area, never across dates.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import String, and_, or_, select, type_coerce
from sqlalchemy.engine import Connection, Engine

from tracker.errors import NoExchangeRate, UnitError
from tracker.frames import READING_COLUMNS
from tracker.model import ExchangeRate, Program
from tracker.notes import Conversion
from tracker.store.ledger import R
from tracker.units import convert, find_rate, fmt_plain, parse_unit


def _known_at_clause(known_at: datetime | None) -> Any:
    if known_at is None:
        return R.c.state == "current"
    return and_(R.c.recorded_at <= known_at, or_(R.c.ended_at.is_(None), R.c.ended_at > known_at))


def readings_frame(
    engine: Engine,
    program: Program,
    *,
    as_of: date | None = None,
    known_at: datetime | None = None,
    area: str | None = None,
    indicators: Collection[str] | None = None,
    details: bool = True,
) -> pd.DataFrame:
    """Current readings (or those known at `known_at`) up to `as_of`, in READING_COLUMNS.

    `indicators` keeps only those indicators' readings (the web page's chart of one
    indicator: name a share's numerator and denominator too, or the share is not computed).

    `area` keeps only that area's readings, filtered in the database (assessment needs
    only the programme's region; a national store holds every commune too).
    `details=False` leaves out what only a person reads — source, note, recorded_at
    (None / NaT in the frame), the `conversion` text and a computed share's "computed:
    ..." source — so the read is the assessment index alone (migration 0005) and no text
    of a million rows is built. For the readings a report shows, `reading_details` fetches
    the stored details, `conversion_texts` and `share_sources` write the rest.
    """
    cols: list[Any] = [R.c.id.label("reading_id"), R.c.indicator]
    if area is None or details:
        cols.append(R.c.area)
    cols += [R.c.period_date.label("date"), R.c.value.label("raw_value"), R.c.unit, R.c.qualifier]
    if details:
        cols += [R.c.source, R.c.note, R.c.recorded_at]
    query = select(*cols).where(_known_at_clause(known_at))
    if as_of is not None:
        query = query.where(R.c.period_date <= as_of)
    if area is not None:
        query = query.where(R.c.area == area)
    if indicators is not None:
        query = query.where(R.c.indicator.in_(sorted(indicators)))
    # The same query, its dates left as the driver gives them (converted in bulk below).
    fast = query.with_only_columns(
        *(
            type_coerce(getattr(c, "element", c), String).label(c.name) if c.name in _DAYS else c
            for c in cols
        )
    )
    with engine.connect() as conn:
        read = _read_frame(conn, fast)
    if read is None:  # no rows: pandas' own reading gives the frame its (empty) types
        with engine.connect() as conn:
            df = pd.read_sql(query, conn)
        df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
        if details:
            df["recorded_at"] = pd.to_datetime(df["recorded_at"], utc=True).dt.tz_localize(None)
        vocab: dict[str, list[str]] = {}
    else:
        df, vocab = read
    if "area" not in df.columns:  # filtered on it: one value, not read
        df["area"] = np.full(len(df), area, dtype=object)
        df["_area"], vocab["area"] = np.zeros(len(df), dtype=np.int64), [str(area)]
    if not details:
        df["recorded_at"] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[us]")
    df["reading_id"] = df["reading_id"].astype("Int64")
    df["raw_value"] = df["raw_value"].astype("float64")
    for name in _CODED:
        vocab[name] = _coded(df, name, vocab.get(name))
    conversions = _convert(df, program, vocab)
    df = _add_shares(df, program, vocab, texts=details)
    # (indicator, area, date) order, sorted on the codes (ranked as the texts sort), while
    # the frame is narrow: the columns that are mostly empty are made after, in order.
    day = df["date"].to_numpy("datetime64[ns]").view(np.int64)
    order = np.lexsort((day, df["_area"].to_numpy(), df["_indicator"].to_numpy()))
    df = df.take(order).reset_index(drop=True)
    if not details:
        for name in ("source", "note"):
            if name not in df.columns:
                df[name] = np.full(len(df), None, dtype=object)
    df = conversions.fill(df, program, texts=details)
    return df[READING_COLUMNS]


_FETCH = 100_000  # rows fetched at once: bounds the memory of the driver's row objects
_TEXT = ("indicator", "area", "unit", "qualifier", "source", "note")
_DAYS = ("date", "recorded_at")
# Texts also kept as integer codes (column "_indicator", ...): see _coded.
_CODED = ("indicator", "area", "unit")


def _read_frame(conn: Connection, query: Any) -> tuple[pd.DataFrame, dict[str, list[str]]] | None:
    """The query's rows as a frame, as `pd.read_sql` would build it, without its cost, and
    the distinct texts of its _CODED columns (the frame has their codes: `_coded`).

    Each chunk of rows becomes one 2-D object array in C (numpy), not a Python loop per
    value. Dates come back from the driver untouched (SQLite: ISO text) and are converted
    once per distinct value; every distinct text is one shared object, not one per row (a
    million readings repeat a few hundred indicators, units and sources).
    """
    names = [c.name for c in query.selected_columns]
    result = conn.execute(query)
    fetch: Callable[[int], Sequence[Any]] = result.fetchmany
    dialect = conn.dialect
    processors = [
        c.type.dialect_impl(dialect).result_processor(dialect, d[1])
        for c, d in zip(query.selected_columns, result.cursor.description, strict=True)
    ]
    if all(p is None for p in processors):  # nothing to convert: the driver's own tuples
        fetch = result.cursor.fetchmany
    parts: dict[str, list[Any]] = {name: [] for name in names}
    while chunk := fetch(_FETCH):
        block = np.empty((len(chunk), len(names)), dtype=object)
        block[:] = chunk  # tuples -> rows of a 2-D array, in C
        del chunk  # the driver's row tuples: free them before the next chunk
        for j, name in enumerate(names):
            column = block[:, j]
            if name in ("reading_id", "raw_value"):
                parts[name].append(column.astype(np.float64 if name == "raw_value" else np.int64))
            else:
                parts[name].append(pd.factorize(column))
    if not parts["reading_id"]:
        return None
    out: dict[str, Any] = {
        "reading_id": np.concatenate(parts["reading_id"]),
        "raw_value": np.concatenate(parts["raw_value"]),
    }
    vocab: dict[str, list[str]] = {}
    for name in _TEXT:
        if name in parts:
            if name in _CODED:  # never None (NOT NULL columns)
                uniques, codes = _ranked(parts[name])
                out[name], out[f"_{name}"] = np.array(uniques, dtype=object)[codes], codes
                vocab[name] = uniques
            else:
                out[name] = _shared(parts[name])
    days = _shared(parts["date"], lambda u: pd.to_datetime(pd.Series(u)).astype("datetime64[ns]"))
    out["date"] = days
    if "recorded_at" in parts:
        out["recorded_at"] = _shared(
            parts["recorded_at"],
            lambda u: (
                pd.to_datetime(pd.Series(u), utc=True).dt.tz_localize(None).astype("datetime64[us]")
            ),
        )
    return pd.DataFrame(out), vocab


def _ranked(chunks: list[tuple[np.ndarray, np.ndarray]]) -> tuple[list[str], np.ndarray]:
    """Factorized chunks -> (the distinct values sorted, each row's position among them)."""
    uniques = sorted(set(np.concatenate([u for _, u in chunks]).tolist()))
    position = {u: i for i, u in enumerate(uniques)}
    codes = np.concatenate(
        [
            np.array([position[u] for u in chunk_u.tolist()], dtype=np.int64)[c]
            for c, chunk_u in chunks
        ]
    )
    return uniques, codes


def _coded(
    df: pd.DataFrame, name: str, known: list[str] | None, more: Sequence[str] = ()
) -> list[str]:
    """The distinct texts of column `name` (and of `more`) sorted, with `df["_" + name]` each
    row's position among them: the codes sort, group and join as the texts would, at the
    cost of integers. `known`: the sorted texts the codes already in `df` refer to."""
    col = f"_{name}"
    if known is not None and col in df.columns and set(more) <= set(known):
        return known
    if known is not None and col in df.columns:
        uniques = sorted({*known, *more})
        position = {u: i for i, u in enumerate(uniques)}
        ranks = np.array([position[u] for u in known], dtype=np.int64)
        df[col] = ranks[df[col].to_numpy()]  # the same texts, re-ranked among more
        return uniques
    uniques = sorted({*pd.unique(df[name].to_numpy(object)).tolist(), *more})
    position = {u: i for i, u in enumerate(uniques)}
    df[col] = np.array([position[u] for u in df[name].tolist()], dtype=np.int64)
    return uniques


def _shared(chunks: list[tuple[np.ndarray, np.ndarray]], convert: Any = None) -> Any:
    """Concatenate factorized chunks into one column: object array, or `convert`(uniques)
    taken per row. Code -1 (None in the database) stays None (NaT once converted)."""
    uniques = pd.unique(np.concatenate([u for _, u in chunks])) if chunks else np.array([])
    position = {u: i for i, u in enumerate(uniques.tolist())}
    codes = np.concatenate(
        [
            np.append(np.array([position[u] for u in chunk_u.tolist()], dtype=np.int64), -1)[c]
            for c, chunk_u in chunks
        ]
    )
    if convert is None:
        table = np.empty(len(uniques) + 1, dtype=object)
        table[: len(uniques)] = uniques.tolist()
        table[-1] = None
        return table[codes]
    with_none = np.empty(len(uniques) + 1, dtype=object)
    with_none[: len(uniques)] = uniques.tolist()  # the last: None, for code -1
    converted = convert(with_none)
    return converted.iloc[codes].reset_index(drop=True)


@dataclass
class _Conversions:
    """What converting each reading's value needed, per (indicator, unit, year) combination:
    the declared rate it used, or the error that left it without a value. Each frame row's
    combination is its `_combo` column (-1: a computed share, never converted)."""

    rates: list[ExchangeRate | None]
    errors: list[tuple[str, str] | None]

    def fill(self, df: pd.DataFrame, program: Program, texts: bool) -> pd.DataFrame:
        """The conversion columns of READING_COLUMNS (rate, rate_from, ..., error), made
        per combination and taken per row. With `texts`, the English `conversion` text
        too (notes.Conversion); without, None: `conversion_texts` writes it for the few
        rows a report shows (a million readings would otherwise format a million
        sentences)."""
        n = len(df)
        combo = df["_combo"].to_numpy()
        for col in ("conversion", "rate_from", "rate_to", "rate_estimate", "error", "error_code"):
            df[col] = np.full(n, None, dtype=object)
        df["rate"] = np.full(n, np.nan)
        df["rate_year"] = np.full(n, np.nan)
        used = np.array([r is not None for r in self.rates] + [False])  # [-1]: shares
        has_rate = used[combo]
        if has_rate.any():
            picked = combo[has_rate]

            def per_row(values: list[Any], dtype: Any = object) -> np.ndarray:
                return np.array(values, dtype=dtype)[picked]

            none = ExchangeRate("", "", 0, np.nan, "")  # placeholder for combos without one
            rates = [r or none for r in self.rates]
            df.loc[has_rate, "rate"] = per_row([r.rate for r in rates], np.float64)
            df.loc[has_rate, "rate_from"] = per_row([r.from_ for r in rates])
            df.loc[has_rate, "rate_to"] = per_row([r.to for r in rates])
            df.loc[has_rate, "rate_year"] = per_row([float(r.year) for r in rates], np.float64)
            df.loc[has_rate, "rate_estimate"] = per_row([bool(r.estimate) for r in rates])
            if texts:
                df.loc[has_rate, "conversion"] = conversion_texts(df.loc[has_rate], program)
        failed = np.array([e is not None for e in self.errors] + [False])
        has_err = failed[combo]
        if has_err.any():
            err_of = np.array([*self.errors, None], dtype=object)  # 1-D array of tuples
            picked_err = err_of[combo[has_err]]
            df.loc[has_err, "error"] = [e[0] for e in picked_err]
            df.loc[has_err, "error_code"] = [e[1] for e in picked_err]
        return df


def _convert(df: pd.DataFrame, program: Program, vocab: dict[str, list[str]]) -> _Conversions:
    """Set `value`, in the indicator's unit: one conversion per (indicator, unit, year), not
    per row; `_combo` says which. The rest of what each conversion used comes back, for
    `_Conversions.fill` to write once the frame is in order."""
    df["value"] = df["raw_value"]
    df["_combo"] = np.zeros(len(df), dtype=np.int64)
    if df.empty:
        return _Conversions([], [])
    year = df["date"].dt.year.to_numpy()
    ind_keys, unit_texts = vocab["indicator"], vocab["unit"]
    n_units, years = len(unit_texts), np.unique(year)
    pair = df["_indicator"].to_numpy() * n_units + df["_unit"].to_numpy()
    inverse, combos = pd.factorize(pair * len(years) + np.searchsorted(years, year))
    units: dict[str, Any] = {}
    factors: dict[tuple[str, str, int], tuple[float, ExchangeRate | None, Any]] = {}
    factor = np.empty(len(combos))
    used_rates: list[ExchangeRate | None] = []
    errs: list[tuple[str, str] | None] = []
    for c in combos.tolist():
        p, y = divmod(c, len(years))
        ind_key, unit_text = ind_keys[p // n_units], unit_texts[p % n_units]
        yr = int(years[y])
        f, used, err = 1.0, None, None
        ind = program.indicators.get(ind_key)
        if ind is None:
            f = np.nan
            err = (
                f'indicator "{ind_key}" is no longer in {program.source_path}',
                "unknown_indicator",
            )
        elif unit_text != ind.unit:
            known = factors.get((unit_text, ind.unit, yr))
            if known is None:  # one conversion per (unit, unit, year), however many indicators
                known = factors[(unit_text, ind.unit, yr)] = _factor(
                    program, units, unit_text, ind.unit, yr
                )
            f, used, err = known
        factor[len(used_rates)] = f
        used_rates.append(used)
        errs.append(err)
    df["value"] = df["raw_value"].to_numpy() * factor[inverse]
    df["_combo"] = inverse
    return _Conversions(used_rates, errs)


def _factor(
    program: Program, units: dict[str, Any], src_text: str, dst_text: str, year: int
) -> tuple[float, ExchangeRate | None, tuple[str, str] | None]:
    """(factor, the declared rate it used, error) converting `src_text` to `dst_text` in `year`."""
    try:
        src = units.get(src_text) or units.setdefault(src_text, parse_unit(src_text))
        dst = units.get(dst_text) or units.setdefault(dst_text, parse_unit(dst_text))
        f, how = convert(1.0, src, dst, year, program.exchange_rates)
        used = None
        if how is not None and src.currency and dst.currency:
            used = find_rate(program.exchange_rates, src.currency, dst.currency, year)[1]
        return f, used, None
    except NoExchangeRate as e:
        return np.nan, None, (str(e), "no_rate")
    except UnitError as e:
        return np.nan, None, (str(e), "unit")


def conversion_texts(rows: pd.DataFrame, program: Program) -> list[str | None]:
    """The `conversion` text of each reading row (READING_COLUMNS) that a declared rate
    converted, None for the others: its own numbers and the rate that converted them."""
    target_unit = {k: i.unit for k, i in program.indicators.items()}
    return [
        None
        if pd.isna(rate)
        else Conversion(
            raw, unit, value, target_unit[ind], rate, str(rf), str(rt), int(ry), bool(est)
        ).english()
        for raw, unit, value, ind, rate, rf, rt, ry, est in zip(
            rows["raw_value"],
            rows["unit"],
            rows["value"],
            rows["indicator"],
            rows["rate"],
            rows["rate_from"],
            rows["rate_to"],
            rows["rate_year"],
            rows["rate_estimate"],
            strict=True,
        )
    ]


def _share_text(numerator: str, n: float, a: Any, denominator: str, d: float, b: Any) -> str:
    """The `source` of a share computed from its two counts (readings a and b)."""
    return (
        f"computed: {numerator} {fmt_plain(n)} / {denominator} {fmt_plain(d)} (readings {a}, {b})"
    )


def _add_shares(
    df: pd.DataFrame, program: Program, vocab: dict[str, list[str]], texts: bool = True
) -> pd.DataFrame:
    """One row per (share, area, date) where both counts have a usable value that day.

    Every share is computed in one merge (the share's position `_s` is part of the key),
    so the cost is the rows of the counts, not a scan of the frame per share. Without
    `texts` the "computed: ..." source is left None (`share_sources` writes it for the
    rows a report shows). Rows are found and joined on the integer codes (`_coded`).
    """
    shares = [(key, *ind.ratio_of) for key, ind in program.indicators.items() if ind.ratio_of]
    if not shares or df.empty:
        return df
    keys = [s[0] for s in shares]
    vocab["indicator"] = _coded(df, "indicator", vocab["indicator"], more=keys)
    position = {u: i for i, u in enumerate(vocab["indicator"])}
    codes = df["_indicator"].to_numpy()
    # The rows of each count indicator, in frame order (one stable sort of those rows).
    needed = np.array(sorted({position[s[p]] for s in shares for p in (1, 2) if s[p] in position}))
    rows = np.flatnonzero(np.isin(codes, needed))
    rows = rows[np.argsort(codes[rows], kind="stable")]
    bounds = np.searchsorted(codes[rows], np.arange(len(position) + 1))
    none = np.array([], dtype=np.int64)
    keep = ["reading_id", "_area", "area", "date", "value", "qualifier", "recorded_at"]

    def rows_of(name: str) -> np.ndarray:
        i = position.get(name)
        return none if i is None else rows[bounds[i] : bounds[i + 1]]

    def counts(at: int) -> pd.DataFrame:  # at 1: numerators, 2: denominators
        picked = [rows_of(s[at]) for s in shares]
        frame = df[keep].iloc[np.concatenate(picked)]
        frame = frame.assign(_s=np.repeat(np.arange(len(shares)), [len(p) for p in picked]))
        usable = frame["value"].notna()
        return frame[usable if at == 1 else usable & (frame["value"] != 0)]

    pair = counts(1).merge(
        counts(2).drop(columns="area"), on=["_s", "_area", "date"], suffixes=("_n", "_d")
    )
    if pair.empty:
        return df
    which = pair["_s"].to_numpy()
    source: Any = None
    if texts:
        source = [
            _share_text(shares[s][1], n, a, shares[s][2], d, b)
            for s, n, d, a, b in zip(
                which.tolist(),
                pair["value_n"],
                pair["value_d"],
                pair["reading_id_n"],
                pair["reading_id_d"],
                strict=True,
            )
        ]
    share_codes = np.array([position[k] for k in keys], dtype=np.int64)[which]
    n = len(pair)
    share = pd.DataFrame(
        {
            "reading_id": pd.array([pd.NA] * n, dtype="Int64"),
            "indicator": np.array(keys, dtype=object)[which],
            "area": pair["area"].to_numpy(object),
            "date": pair["date"].to_numpy(),
            "value": (pair["value_n"] / pair["value_d"] * 100.0).to_numpy(),
            "unit": np.full(n, "percent", dtype=object),
            "qualifier": pair["qualifier_n"]
            .where(pair["qualifier_n"].notna(), pair["qualifier_d"])
            .to_numpy(object),
            "recorded_at": pair[["recorded_at_n", "recorded_at_d"]].max(axis=1).to_numpy(),
            "_indicator": share_codes,
            "_area": pair["_area"].to_numpy(),
            "_unit": np.full(n, -1, dtype=np.int64),  # (used by _convert only, before this)
            "_combo": np.full(n, -1, dtype=np.int64),  # never converted
        }
    )
    if "source" in df.columns:  # the details were read: a share has its own
        share["source"] = source if texts else np.full(n, None, dtype=object)
        share["note"] = np.full(n, None, dtype=object)
    share["raw_value"] = share["value"]
    # A share computed from counts wins over a share typed in for the same date and area.
    typed = np.flatnonzero(np.isin(codes, share_codes))
    if len(typed):
        computed = pd.MultiIndex.from_arrays([share["_indicator"], share["_area"], share["date"]])
        clash = pd.MultiIndex.from_arrays(
            [codes[typed], df["_area"].to_numpy()[typed], df["date"].to_numpy()[typed]]
        ).isin(computed)
        df = df.drop(index=df.index[typed[clash]])
    return pd.concat([df, share[df.columns]], ignore_index=True)


def share_sources(
    readings: pd.DataFrame, program: Program, wanted: Sequence[tuple[str, str, Any]]
) -> list[str | None]:
    """The "computed: ..." source of each wanted (share indicator, area, date) point, read
    off its two counts in `readings` (None where the share or a count is not there)."""
    ratio = {k: i.ratio_of for k, i in program.indicators.items() if i.ratio_of}
    names = {name for key, _, _ in wanted if key in ratio for name in ratio[key]}
    if not names:
        return [None] * len(wanted)
    days = pd.to_datetime(pd.Series([day for _, _, day in wanted])).unique()
    mine = readings[
        readings["indicator"].isin(names)
        & readings["date"].isin(days)
        & readings["reading_id"].notna()
    ]
    point = {
        (ind, area, pd.Timestamp(day)): (value, rid)
        for ind, area, day, value, rid in zip(
            mine["indicator"],
            mine["area"],
            mine["date"],
            mine["value"],
            mine["reading_id"],
            strict=True,
        )
    }
    out: list[str | None] = []
    for key, area, day in wanted:
        if key not in ratio:
            out.append(None)
            continue
        numerator, denominator = ratio[key]
        n = point.get((numerator, area, pd.Timestamp(day)))
        d = point.get((denominator, area, pd.Timestamp(day)))
        if n is None or d is None:
            out.append(None)
        else:
            out.append(_share_text(numerator, n[0], n[1], denominator, d[0], d[1]))
    return out


def reading_details(engine: Engine, ids: Sequence[int]) -> pd.DataFrame:
    """source, note and recorded_at of the readings `ids` (index: reading id).

    What `readings_frame(details=False)` leaves out, for the few readings a report names.
    """
    wanted = sorted({int(i) for i in ids})
    rows: list[Any] = []
    with engine.connect() as conn:
        for i in range(0, len(wanted), _DETAILS_AT_ONCE):
            some = wanted[i : i + _DETAILS_AT_ONCE]
            rows += conn.execute(
                select(R.c.id, R.c.source, R.c.note, R.c.recorded_at).where(R.c.id.in_(some))
            ).all()
    frame = pd.DataFrame(rows, columns=["reading_id", "source", "note", "recorded_at"])
    return frame.set_index("reading_id")


_DETAILS_AT_ONCE = 5_000  # ids per query: well under every driver's parameter limit


def list_readings(
    engine: Engine,
    *,
    indicator: str | None = None,
    history: bool = False,
) -> list[dict[str, Any]]:
    """Readings as plain rows (current only, or every revision with `history`), oldest first."""
    where = [R.c.indicator == indicator] if indicator else []
    order = ("indicator", "area", "period_date", "id")
    out = []
    with engine.connect() as conn:
        found = every_revision(conn, where, order) if history else current_rows(conn, where, order)
        for r in found:
            row = dict(r._mapping)
            row["date"] = row.pop("period_date").isoformat()
            out.append(row)
    return out


# Every revision is the current readings (found through the unique key) and the earlier
# ones (through ix_reading_history, migration 0006): each half through its own index.
BY_STATE = (R.c.state == "current", R.c.state != "current")


def current_rows(conn: Connection, where: Sequence[Any], order: Sequence[str]) -> Iterator[Any]:
    """The current readings that match `where`, in `order` (column names, ascending)."""
    q = select(R).where(R.c.state == "current", *where)
    return iter(conn.execute(q.order_by(*(R.c[c] for c in order))))


def every_revision(
    conn: Connection,
    where: Sequence[Any],
    order: Sequence[str],
    *,
    newest_first: bool = False,
    limit: int | None = None,
) -> Iterator[Any]:
    """Every revision that matches `where`, in `order` (column names; descending with
    `newest_first`), at most `limit`.

    Asked as two queries, merged: the current readings (through the unique key) and the
    earlier revisions (through ix_reading_history, migration 0006). No index holds every
    revision by key: each file of a big import would rewrite it whole."""
    import heapq

    columns = [R.c[c].desc() if newest_first else R.c[c] for c in order]
    parts = []
    for state in BY_STATE:
        q = select(R).where(state, *where).order_by(*columns)
        parts.append(conn.execute(q if limit is None else q.limit(limit)))
    merged = heapq.merge(
        *parts, key=lambda r: tuple(r._mapping[c] for c in order), reverse=newest_first
    )
    return islice(merged, limit)
