"""The gaps frame as plain Python rows, the one shape every writer starts from.

    check_gaps(gaps)                 # ValueError if a contract column is missing
    for row in records(gaps):        # dicts keyed by frames.GAP_FRAME_COLUMNS, in that order
        row["latest_value"]          # float, or None for NaN
        row["deadline"]              # pandas Timestamp, or None for NaT

Missing values of every kind (NaN, NaT, pd.NA, None) become None here, once, so no
writer has to know which missing marker which dtype uses (pandas 3 strings use NaN).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from ..frames import GAP_COLUMNS, GAP_CONTRACT_COLUMNS, GAP_FRAME_COLUMNS

DATE_COLUMNS = ("deadline", "baseline_date", "latest_date")


def check_gaps(gaps: pd.DataFrame) -> None:
    """Refuse a frame that lacks a column of the public contract (a programming error)."""
    absent = [c for c in GAP_CONTRACT_COLUMNS if c not in gaps.columns]
    if absent:
        raise ValueError(f"the gaps frame lacks contract columns: {', '.join(absent)}")


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pd.NA; False for any real value, strings included."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return False


def records(gaps: pd.DataFrame) -> list[dict[str, Any]]:
    """One dict per target, keys = GAP_FRAME_COLUMNS (columns absent from the frame are None).

    The detail columns (frames.GAP_DETAIL_COLUMNS: note codes, conversion columns) are
    for the human reports; `plain_records` (JSON, CSV) leaves them out.
    Built a column at a time (missing values found by pandas in one pass per column),
    not a value at a time."""
    frame = gaps.reindex(columns=GAP_FRAME_COLUMNS)
    columns = [_python_values(frame[c]) for c in GAP_FRAME_COLUMNS]
    return [
        dict(zip(GAP_FRAME_COLUMNS, values, strict=True)) for values in zip(*columns, strict=True)
    ]


def _python_values(col: pd.Series) -> list[Any]:
    """The column as Python values (as `DataFrame.to_dict` gives them: floats, ints,
    Timestamps), every missing value (`is_missing`) None."""
    if col.dtype == object:
        values = [v.item() if isinstance(v, np.generic) else v for v in col.tolist()]
    else:
        values = col.astype(object).tolist()
    missing = col.isna().to_numpy()
    if missing.any():
        values = [None if m else v for v, m in zip(values, missing.tolist(), strict=True)]
    return values


def plain(value: Any) -> Any:
    """A JSON-ready scalar: dates as YYYY-MM-DD, numpy scalars as Python ones.

    Infinite floats become None too: JSON has no spelling for them.
    """
    if is_missing(value):
        return None
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def plain_columns(gaps: pd.DataFrame) -> dict[str, list[Any]]:
    """GAP_COLUMNS, each as a list of JSON-ready values (`plain`), a column at a time."""
    out: dict[str, list[Any]] = {}
    for c in GAP_COLUMNS:
        col = gaps[c] if c in gaps.columns else pd.Series([None] * len(gaps), dtype=object)
        if col.dtype.kind == "f":  # NaN and the infinities: None
            out[c] = [v if math.isfinite(v) else None for v in col.tolist()]
        elif col.dtype.kind == "M":
            ymd = zip(col.dt.year, col.dt.month, col.dt.day, col.isna().tolist(), strict=True)
            out[c] = [None if m else f"{y:04.0f}-{mo:02.0f}-{d:02.0f}" for y, mo, d, m in ymd]
        else:
            out[c] = [plain(v) for v in _python_values(col)]
    return out


def plain_records(gaps: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """`records` restricted to GAP_COLUMNS, every value made JSON-ready by `plain`."""
    columns = plain_columns(gaps)
    for values in zip(*columns.values(), strict=True):
        yield dict(zip(GAP_COLUMNS, values, strict=True))
