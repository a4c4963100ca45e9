"""Assess declared targets against readings: (program, readings, as_of) -> gaps frame.

Pure pandas: no I/O, no database, no files. The method is DESIGN.md "Assessment method"
(the Statistics Canada / Open SDG progress measure). Usage::

    from datetime import date
    from tracker.assess import assess

    gaps = assess(program, readings, as_of=date(2025, 6, 30))   # readings: frames.READING_COLUMNS
    gaps[["indicator", "target", "status", "gap", "needed_rate"]]  # columns: frames.GAP_COLUMNS

One row per target, ordered by deadline, then indicator order, then target order.
Every target is assessed at once: the latest reading on or before each target's cut-off
comes from one `merge_asof`, so the cost is a sort of the readings, not a Python loop
over them (1,000,000 readings take well under a second).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tracker import methods
from tracker.frames import GAP_COLUMNS, GAP_FLOAT_COLUMNS
from tracker.model import METHODS, Program

_YEAR = 365.25  # days per year: time is measured between actual dates (DESIGN.md)
_NS = "datetime64[ns]"
# "equals" tolerates float noise from unit conversion, nothing more (math.isclose rule)
_EQUALS_RTOL = 1e-9
_QUALIFIER_TEXT = {
    "more_than": "a bound: more than",
    "less_than": "a bound: less than",
    "almost": "a bound: almost",
    "about": "approximate: about",
}
_STR_COLS = [
    "indicator",
    "target",
    "unit",
    "status",
    "note",
    "name_en",
    "name_vi",
    "kind",
    "comparator",
    "direction",
    "trend",
    "latest_qualifier",
    "latest_source",
    "conversion",
]


def assess(program: Program, readings: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Return the gaps frame (`frames.GAP_COLUMNS`, one row per target) as of `as_of`.

    `readings` has `frames.READING_COLUMNS`, values already in the indicator's unit.
    Only rows of `program.region` with a value count; dates after each target's
    cut-off (min(as_of, deadline)) are ignored for that target.
    """
    as_of_ts = pd.Timestamp(as_of)
    t = _targets_frame(program)
    t["cutoff"] = t["deadline"].clip(upper=as_of_ts)
    by_date = t["base_date_decl"].notna() & t["base_value_decl"].isna()
    t["base_key"] = t["base_date_decl"].where(by_date, pd.Timestamp.min)
    regional = _regional(readings, program.region, list(program.indicators))
    usable = regional[regional["value"].notna()]
    # Several readings on one date are one point: the last (largest reading_id) wins.
    usable = usable.drop_duplicates(["i_pos", "date"], keep="last").copy()
    usable["n_seen"] = usable.groupby("i_pos", sort=False).cumcount() + 1  # date order

    latest = _asof(
        t, usable, ["date", "value", "qualifier", "source", "conversion", "reading_id", "n_seen"]
    )
    candidate = _asof(t, regional, ["date", "value", "error"])  # errored rows included
    # The base reading: the first one, or with `baseline: {date}` the first on or after it.
    base = _asof(t, usable, ["date", "value", "n_seen"], on="base_key", direction="forward")
    newest = usable.loc[usable["date"] <= as_of_ts].groupby("i_pos")["date"].max()

    yi, ti = latest["value"], latest["date"]
    has_latest = yi.notna()
    declared = t["base_value_decl"].notna()  # a declared value: a base point, not a reading
    # Otherwise the base reading (only meaningful when it lies on or before the cut-off).
    base_on_time = has_latest & ~declared & (base["date"] <= t["cutoff"])
    y0 = t["base_value_decl"].where(declared, base["value"]).where(declared | base_on_time)
    t0 = t["base_date_decl"].where(declared, base["date"]).where(declared | base_on_time)
    seen_since_base = latest["n_seen"] - base["n_seen"].where(base_on_time, np.nan) + 1
    n_points = np.where(declared, 1 + latest["n_seen"].fillna(0), seen_since_base.fillna(0)).astype(
        "int64"
    )
    yT, tT, comp = t["target_value"], t["deadline"], t["comparator"]

    met = _meets(yi, yT, comp)
    gap = _gap(yi, yT, comp, met)
    sign = np.where(t["direction"] == "decrease", -1.0, 1.0)
    stretch_gap = np.maximum(0.0, sign * (t["stretch_value"] - yi))  # NaN without stretch

    number = t["kind"] != "milestone"  # milestones: yes/no, no trend, no projection
    wants_compound = number & (t["trend_decl"] == "compound")
    nonpositive = (y0 <= 0) | (yi <= 0) | (yT <= 0)  # NaN compares False
    fallback = wants_compound & has_latest & nonpositive
    compound = (wants_compound & ~fallback).to_numpy()
    trend = t["trend_decl"].where(~fallback, "linear")

    dt_i, dt_T, dt_n = _years(t0, ti), _years(t0, tT), _years(ti, tT)
    two_points = number & (n_points >= 2) & (dt_i > 0)
    observed = np.where(two_points, _rate(y0, yi, dt_i, compound), np.nan)
    required = np.where(number, _rate(y0, yT, dt_T, compound), np.nan)
    improve = (comp == "improve").to_numpy()  # a goal without a number: never met or missed
    past = (as_of_ts > tT).to_numpy() & ~improve
    # Past the deadline there is no pace left to keep: needed is NaN.
    needed = np.where(number & has_latest & ~past, _rate(yi, yT, dt_n, compound), np.nan)
    with np.errstate(all="ignore"):
        projected = np.where(compound, yi * (1.0 + observed) ** dt_n, yi + observed * dt_n)

    required_zero = required == 0
    shared = np.select(
        [~has_latest, met, past, ~number, ~two_points],
        ["no_data", "achieved", "missed", "insufficient_data", "insufficient_data"],
        default="",
    )
    verdicts = methods.judge(
        methods.TrendInputs(
            d=sign,
            y0=y0.to_numpy("float64"),
            yi=yi.to_numpy("float64"),
            yT=yT.to_numpy("float64"),
            dt_i=dt_i.to_numpy("float64"),
            dt_T=dt_T.to_numpy("float64"),
            observed=observed,
            required=required,
            projected=projected,
            compound=compound,
            improve=improve,
            limit_factor=t["limit_factor"].to_numpy("float64"),
        ),
        program.thresholds,
    )
    by_method = {
        m: np.where(shared != "", shared, v.status).astype(object) for m, v in verdicts.items()
    }
    # SDSN has no rule for a goal without a number: such a row keeps the default method's.
    no_rule = by_method[program.method] == None  # noqa: E711 (elementwise)
    status = np.where(no_rule, by_method["statcan"], by_method[program.method]).astype(str)
    ratio = verdicts[program.method].ratio  # the figure the chosen method compared

    bad_candidate = candidate["date"].notna() & candidate["value"].isna()
    status_note = np.select(
        [status != "insufficient_data", ~number, n_points < 2, ~two_points],
        [
            "",
            "milestone not yet reached",
            "fewer than two points: no trend yet",
            "latest reading is not after the base point: no trend",
        ],
        default="trend could not be computed",
    )
    notes = [
        _text(
            latest["qualifier"].notna(),
            "latest reading is "
            + latest["qualifier"].map(_QUALIFIER_TEXT).fillna("qualified:")
            + " "
            + yi.map(lambda v: f"{v:.15g}"),
        ),
        _text(
            bad_candidate,
            "reading of "
            + candidate["date"].dt.strftime("%Y-%m-%d")
            + " not assessed: "
            + candidate["error"].fillna("no value").astype(str),
        ),
        _text(fallback, "compound trend impossible with zero or negative values; used linear"),
        _text(
            pd.Series(by_date & ~base_on_time & has_latest, index=t.index),
            "no reading on or after the baseline date "
            + t["base_date_decl"].dt.strftime("%Y-%m-%d").fillna(""),
        ),
        _text(
            pd.Series(improve & no_rule, index=t.index),
            f"method {program.method} has no rule for a goal without a number; judged by statcan",
        ),
        pd.Series(
            np.where(
                (status == "deteriorating") & required_zero,
                "base already on the target (required rate 0)",
                status_note,
            )
        ),
    ]

    # Stale looks at the indicator's newest reading up to as_of, not the row's cut-off:
    # a past-deadline row is judged on its pre-deadline reading, but it is not "stale"
    # if the indicator is still reported.
    months = t["every"]
    limits = {m: as_of_ts - pd.DateOffset(months=int(m)) for m in months.dropna().unique()}
    limit = _lookup(pd.Series(limits, dtype=_NS), months)
    newest_date = _lookup(newest, t["i_pos"])
    stale = (newest_date.notna() & limit.notna() & (newest_date < limit)).astype(bool)

    out = pd.DataFrame(
        {
            "indicator": t["indicator"],
            "target": t["target"],
            "deadline": tT,
            "unit": t["unit"],
            "target_value": yT,
            "stretch_value": t["stretch_value"],
            "baseline_value": y0,
            "baseline_date": t0,
            "latest_value": yi,
            "latest_date": ti,
            "gap": gap,
            "observed_rate": observed,
            "required_rate": required,
            "needed_rate": needed,
            "ratio": ratio,
            "projected_value": projected,
            "status": status,
            "stale": stale,
            "note": _join(notes),
            "name_en": t["name_en"],
            "name_vi": t["name_vi"],
            "kind": t["kind"],
            "comparator": comp,
            "direction": t["direction"],
            "trend": trend,
            "stretch_gap": stretch_gap,
            "latest_qualifier": latest["qualifier"],
            "latest_source": latest["source"],
            "latest_reading_id": latest["reading_id"],
            "conversion": latest["conversion"],
            "n_points": n_points,
            "status_by_method": _by_method(by_method) if program.compare else None,
            "fragile": methods.disagree(by_method) if program.compare else False,
        }
    )
    return _typed(out[GAP_COLUMNS])


def _targets_frame(program: Program) -> pd.DataFrame:
    """One row per target (a comprehension over the declarations, not the readings)."""
    rows = [
        {
            "indicator": ind.key,
            "target": tg.id,
            "deadline": tg.deadline,
            "unit": ind.unit,
            "target_value": float(tg.value),
            "stretch_value": np.nan if tg.stretch is None else float(tg.stretch),
            "base_date_decl": ind.baseline.date if ind.baseline else None,
            "base_value_decl": np.nan
            if ind.baseline is None or ind.baseline.value is None
            else float(ind.baseline.value),
            "name_en": ind.name_en,
            "name_vi": ind.name_vi,
            "kind": ind.kind,
            "comparator": tg.comparator,
            "direction": ind.direction,
            "trend_decl": ind.trend,
            "every": np.nan if ind.report_every_months is None else ind.report_every_months,
            "limit_factor": ind.limit_factor,
            "i_pos": i,
            "t_pos": j,
        }
        for i, ind in enumerate(program.indicators.values())
        for j, tg in enumerate(ind.targets)
    ]
    columns = [
        "indicator",
        "target",
        "deadline",
        "unit",
        "target_value",
        "stretch_value",
        "base_date_decl",
        "base_value_decl",
        "name_en",
        "name_vi",
        "kind",
        "comparator",
        "direction",
        "trend_decl",
        "every",
        "limit_factor",
        "i_pos",
        "t_pos",
    ]
    t = pd.DataFrame(rows, columns=columns)
    for col in ("deadline", "base_date_decl"):
        t[col] = pd.to_datetime(t[col]).astype(_NS)
    for col in ("target_value", "stretch_value", "base_value_decl", "every", "limit_factor"):
        t[col] = t[col].astype("float64")
    t = t.astype({"i_pos": "int64", "t_pos": "int64"})
    t = t.sort_values(["deadline", "i_pos", "t_pos"], kind="stable")
    return t.reset_index(drop=True)


def _regional(readings: pd.DataFrame, region: str, keys: list[str]) -> pd.DataFrame:
    """Readings of the region and of declared indicators, in (date, reading_id) order.

    The indicator becomes its position in the programme (`i_pos`): one factorisation
    here, then every groupby / merge works on integers instead of strings.
    """
    cols = ["reading_id", "date", "value", "qualifier", "source", "conversion", "error"]
    i_pos = pd.Categorical(readings["indicator"], categories=keys).codes
    keep = (readings["area"] == region).to_numpy() & (i_pos >= 0)
    r = readings.loc[keep, cols]
    r = r.assign(
        i_pos=i_pos[keep].astype("int64"),
        date=pd.to_datetime(r["date"]).astype(_NS),
        value=pd.to_numeric(r["value"], errors="coerce").astype("float64"),
        reading_id=r["reading_id"].astype("Int64"),
        # text columns as object: an all-missing column may arrive as float64
        **{c: r[c].astype(object) for c in ("qualifier", "source", "conversion", "error")},
    )
    r = r[r["date"].notna()]
    # Ties on one date: NA ids (computed shares) first, so a stored reading wins "last".
    return r.sort_values(["date", "reading_id"], kind="stable", na_position="first")


def _asof(
    t: pd.DataFrame,
    right: pd.DataFrame,
    cols: list[str],
    on: str = "cutoff",
    direction: str = "backward",
) -> pd.DataFrame:
    """For each target row, the last row of `right` (same indicator) dated <= its `on`
    date (direction "forward": the first one dated >= it)."""
    left = t[["i_pos", on]].reset_index().sort_values(on, kind="stable")
    merged = pd.merge_asof(
        left,
        right[["i_pos", *cols]],
        left_on=on,
        right_on="date",
        by="i_pos",
        direction=direction,  # type: ignore[arg-type]
    )
    return merged.set_index("index").sort_index()[cols].rename_axis(None)


def _lookup(by_key: pd.Series, keys: pd.Series) -> pd.Series:
    """by_key[keys] aligned on keys' index, NaN/NaT where missing (also when empty)."""
    return by_key.reindex(keys.to_numpy()).set_axis(keys.index)


def _years(a: pd.Series, b: pd.Series) -> pd.Series:
    return (b - a) / pd.Timedelta(days=1) / _YEAR


def _rate(y_from, y_to, dt, compound: np.ndarray) -> np.ndarray:
    """Per-year rate from y_from to y_to over dt years; NaN unless dt > 0."""
    y_from, y_to, dt = (np.asarray(x, dtype="float64") for x in (y_from, y_to, dt))
    with np.errstate(all="ignore"):
        cagr = np.power(y_to / y_from, 1.0 / dt) - 1.0
        slope = (y_to - y_from) / dt
    return np.where(dt > 0, np.where(compound, cagr, slope), np.nan)


def _meets(v: pd.Series, target: pd.Series, comp: pd.Series) -> np.ndarray:
    v, target = v.to_numpy("float64"), target.to_numpy("float64")
    with np.errstate(invalid="ignore"):
        met = np.select(
            [
                comp == "at_least",
                comp == "more_than",
                comp == "at_most",
                comp == "less_than",
                comp == "equals",
                comp == "done",
            ],
            [
                v >= target,
                v > target,
                v <= target,
                v < target,
                np.abs(v - target) <= _EQUALS_RTOL * np.maximum(np.abs(v), np.abs(target)),
                v == target,
            ],
            default=False,
        )
    return met.astype(bool) & ~np.isnan(v)


def _gap(v: pd.Series, target: pd.Series, comp: pd.Series, met: np.ndarray) -> np.ndarray:
    """Distance to meeting the target, in its unit; never negative; 0 when met.

    A strict comparator (more_than / less_than) sitting exactly on T is not met yet has
    gap 0: there is no smallest step that would meet it, so the gap is the distance to T
    and the status (not the gap) says it is not met.
    """
    v, target = v.to_numpy("float64"), target.to_numpy("float64")
    gap = np.select(
        [
            comp.isin(["at_least", "more_than"]),
            comp.isin(["at_most", "less_than"]),
            comp == "equals",
            comp == "done",
        ],
        [
            np.maximum(0.0, target - v),
            np.maximum(0.0, v - target),
            np.abs(v - target),
            np.ones_like(v),
        ],
        default=np.nan,
    )
    return np.where(np.isnan(v), np.nan, np.where(met, 0.0, gap))


def _by_method(by_method: dict[str, np.ndarray]) -> list[dict[str, str | None]]:
    """{method: status} per row, in METHODS order (None: the method has no rule)."""
    return [
        dict(zip(METHODS, statuses, strict=True))
        for statuses in zip(*by_method.values(), strict=True)
    ]


def _text(mask: pd.Series, text: pd.Series | str) -> pd.Series:
    return pd.Series(np.where(mask, text, ""), index=mask.index).fillna("")


def _join(parts: list[pd.Series]) -> pd.Series:
    """Join non-empty notes with "; " (a loop over the few note kinds, not over rows)."""
    out = pd.Series("", index=parts[0].index, dtype=object)
    for part in parts:
        part = part.set_axis(out.index).fillna("").astype(object)
        out = out.where(part == "", out.where(out == "", out + "; ") + part)
    return out


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    """Fix dtypes so an empty programme and a full one return the same schema."""
    out = out.astype({c: "float64" for c in GAP_FLOAT_COLUMNS})
    out = out.astype({c: str for c in _STR_COLS})
    for col in ("deadline", "baseline_date", "latest_date"):
        out[col] = out[col].astype(_NS)
    out = out.astype({"status_by_method": object})
    return out.astype(
        {"stale": bool, "latest_reading_id": "Int64", "n_points": "int64", "fragile": bool}
    )
