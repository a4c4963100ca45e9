"""Readings out of the store: as a DataFrame for assessment, as rows for people and export.

    >>> frame = readings_frame(engine, program, as_of=date(2025, 12, 31))
    >>> frame = readings_frame(engine, program, known_at=datetime(2025, 7, 1, tzinfo=UTC))

"as of D" keeps readings describing days up to D; "as known at T" keeps the revisions
the store held at moment T (later corrections and retractions not yet made), so a past
report can be rebuilt exactly. Values come out in each indicator's unit, and a share
(`ratio_of`) is computed from its two counts on the same date and area, never across dates.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Engine

from tracker.errors import UnitError
from tracker.frames import READING_COLUMNS
from tracker.model import Program
from tracker.store.ledger import R
from tracker.units import convert, fmt_plain, parse_unit

EXPORT_COLUMNS = ["id", "indicator", "date", "value", "unit", "source", "area", "qualifier", "note"]
HISTORY_COLUMNS = EXPORT_COLUMNS + [
    "revision_of",
    "recorded_at",
    "recorded_by",
    "state",
    "ended_at",
    "end_reason",
    "source_file",
    "source_line",
]


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
) -> pd.DataFrame:
    """Current readings (or those known at `known_at`) up to `as_of`, in READING_COLUMNS."""
    cols = [
        R.c.id.label("reading_id"),
        R.c.indicator,
        R.c.area,
        R.c.period_date.label("date"),
        R.c.value.label("raw_value"),
        R.c.unit,
        R.c.qualifier,
        R.c.source,
        R.c.note,
        R.c.recorded_at,
    ]
    query = select(*cols).where(_known_at_clause(known_at))
    if as_of is not None:
        query = query.where(R.c.period_date <= as_of)
    with engine.connect() as conn:
        df = pd.read_sql(query, conn)
    df["reading_id"] = df["reading_id"].astype("Int64")
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
    df["recorded_at"] = pd.to_datetime(df["recorded_at"], utc=True).dt.tz_localize(None)
    df["raw_value"] = df["raw_value"].astype("float64")
    df = _convert(df, program)
    df = _add_shares(df, program)
    return df[READING_COLUMNS].sort_values(
        ["indicator", "area", "date"], kind="stable", ignore_index=True
    )


def _convert(df: pd.DataFrame, program: Program) -> pd.DataFrame:
    """Value in the indicator's unit: one conversion per (indicator, unit, year), not per row."""
    df["value"] = df["raw_value"]
    df["conversion"] = pd.Series([None] * len(df), dtype="object", index=df.index)
    df["error"] = pd.Series([None] * len(df), dtype="object", index=df.index)
    if df.empty:
        return df
    year = df["date"].dt.year
    combos = pd.DataFrame({"indicator": df["indicator"], "unit": df["unit"], "year": year})
    factors = []
    for ind_key, unit_text, yr in combos.drop_duplicates().itertuples(index=False):
        ind = program.indicators.get(ind_key)
        factor, how, err = 1.0, None, None
        if ind is None:
            factor, err = np.nan, f'indicator "{ind_key}" is no longer in {program.source_path}'
        elif unit_text != ind.unit:
            try:
                factor, how = convert(
                    1.0,
                    parse_unit(unit_text),
                    parse_unit(ind.unit),
                    int(yr),
                    program.exchange_rates,
                )
            except UnitError as e:
                factor, err = np.nan, str(e)
        factors.append((ind_key, unit_text, yr, factor, how, err))
    table = pd.DataFrame(factors, columns=["indicator", "unit", "year", "_f", "_how", "_err"])
    merged = combos.merge(table, on=["indicator", "unit", "year"], how="left")
    merged.index = df.index
    df["value"] = df["raw_value"] * merged["_f"]
    has_how = merged["_how"].notna()
    if has_how.any():
        # The text names the rate; the numbers are this row's own.
        df.loc[has_how, "conversion"] = [
            _conversion_text(v, u, cv, how)
            for v, u, cv, how in zip(
                df.loc[has_how, "raw_value"],
                df.loc[has_how, "unit"],
                df.loc[has_how, "value"],
                merged.loc[has_how, "_how"],
                strict=True,
            )
        ]
    df.loc[merged["_err"].notna(), "error"] = merged.loc[merged["_err"].notna(), "_err"]
    return df


def _conversion_text(raw: float, unit: str, converted: float, how: str) -> str:
    # `how` was computed for 1 unit: "1 million VND/... = 40 USD/... at 25,000 VND/USD (...)"
    rate_part = how.split(" at ", 1)[1] if " at " in how else how
    target_unit = how.split(" = ", 1)[1].split(" at ", 1)[0].split(" ", 1)[1]
    return f"{fmt_plain(raw)} {unit} = {fmt_plain(converted)} {target_unit} at {rate_part}"


def _add_shares(df: pd.DataFrame, program: Program) -> pd.DataFrame:
    parts = [df]
    for key, ind in program.indicators.items():
        if not ind.ratio_of:
            continue
        num_key, den_key = ind.ratio_of
        num = df[(df["indicator"] == num_key) & df["value"].notna()]
        den = df[(df["indicator"] == den_key) & df["value"].notna() & (df["value"] != 0)]
        pair = num.merge(den, on=["area", "date"], suffixes=("_n", "_d"))
        if pair.empty:
            continue
        share = pd.DataFrame(
            {
                "reading_id": pd.array([pd.NA] * len(pair), dtype="Int64"),
                "indicator": key,
                "area": pair["area"],
                "date": pair["date"],
                "value": pair["value_n"] / pair["value_d"] * 100.0,
                "unit": "percent",
                "qualifier": pair["qualifier_n"].where(
                    pair["qualifier_n"].notna(), pair["qualifier_d"]
                ),
                "source": [
                    f"computed: {num_key} {fmt_plain(n)} / {den_key} {fmt_plain(d)} "
                    f"(readings {a}, {b})"
                    for n, d, a, b in zip(
                        pair["value_n"],
                        pair["value_d"],
                        pair["reading_id_n"],
                        pair["reading_id_d"],
                        strict=True,
                    )
                ],
                "note": None,
                "conversion": None,
                "error": None,
                "recorded_at": pair[["recorded_at_n", "recorded_at_d"]].max(axis=1),
            }
        )
        share["raw_value"] = share["value"]
        parts.append(share)
    if len(parts) == 1:
        return df
    out = pd.concat(parts, ignore_index=True)
    # A share computed from counts wins over a share typed in for the same date and area.
    return out.drop_duplicates(subset=["indicator", "area", "date"], keep="last")


def list_readings(
    engine: Engine,
    *,
    indicator: str | None = None,
    history: bool = False,
) -> list[dict[str, Any]]:
    """Readings as plain rows (current only, or every revision with `history`), oldest first."""
    q = select(R).order_by(R.c.indicator, R.c.area, R.c.period_date, R.c.id)
    if not history:
        q = q.where(R.c.state == "current")
    if indicator:
        q = q.where(R.c.indicator == indicator)
    out = []
    with engine.connect() as conn:
        for r in conn.execute(q).mappings():
            row = dict(r)
            row["date"] = row.pop("period_date").isoformat()
            out.append(row)
    return out
