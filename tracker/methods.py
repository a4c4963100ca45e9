"""The published progress methods, side by side: how a trend becomes a status.

assess.py decides what every method agrees on (no data, achieved, missed, too few
points); this module decides the rest, once per method, vectorised over all targets:

    statuses = judge(TrendInputs(...), program.thresholds)
    statuses["unsd"]      # object array: a status per target row (None: no rule)

- `statcan`  Statistics Canada's measure as adopted by Open SDG (the default; DESIGN.md):
             R = d·CAGR_i / |CAGR_T| against the programme's thresholds; a goal without a
             number by its observed rate against 1.5%·C, 0.5%·C and 0 (methodology 1).
- `unsd`     UN Statistics Division's Progress Chart (2023 technical note): the value
             projected to the deadline at the observed rate, as a share of the change
             required, (v_proj − v_base) / (v_target − v_base): ≥ 0.95 on track,
             0.10–0.95 fair progress (our needs_acceleration), below that limited progress
             or deterioration by the sign of the change so far. Without a number: the
             observed rate against 2% and 0.5%.
- `linear`   SDSN's trend dashboards: observed linear pace over the pace required,
             ≥ 1 on track, 0.5–1 needs acceleration, 0–0.5 limited, < 0 deteriorating.
             SDSN publishes no rule for a goal without a number: None there.

docs/methods.md gives the sources, the worked examples and every choice made here.
Rates are the row's own (CAGR for a compound trend, slope for a linear one), so the
zero-value rule of DESIGN.md (a linear fallback) holds for every method alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracker.model import METHODS, Thresholds

# Fixed by their publishers, unlike the statcan ratio thresholds (configurable).
OPEN_SDG_NO_TARGET = (0.015, 0.005)  # on track, needs acceleration; scaled by C
UNSD_TARGET = (0.95, 0.10)
UNSD_NO_TARGET = (0.02, 0.005)
LINEAR_TARGET = (1.0, 0.5)


@dataclass(frozen=True)
class TrendInputs:
    """Per target row (equal-length float/bool arrays); NaN where a figure is missing."""

    d: np.ndarray  # +1 when higher is better, -1 when lower is better
    y0: np.ndarray  # base value
    yi: np.ndarray  # latest value (on or before the cut-off)
    yT: np.ndarray  # target value; NaN for a goal without a number
    dt_i: np.ndarray  # years from base to latest
    dt_T: np.ndarray  # years from base to deadline
    observed: np.ndarray  # the row's observed rate (CAGR or slope, per `compound`)
    required: np.ndarray  # the row's required rate
    projected: np.ndarray  # the row's value projected to the deadline
    compound: np.ndarray  # bool: the row's trend is compound (after any fallback)
    improve: np.ndarray  # bool: a goal without a number (improve: true)
    limit_factor: np.ndarray  # Open SDG's C, 0..1


@dataclass(frozen=True)
class Judgement:
    """One method's verdict per row: the status, and the ratio it compared (NaN for a
    goal without a number, whose rate is compared directly)."""

    status: np.ndarray  # object: status key, or None where the method has no rule
    ratio: np.ndarray  # float


def judge(x: TrendInputs, thresholds: Thresholds) -> dict[str, Judgement]:
    """Each method's verdict, for rows whose status rests on the trend (METHODS order)."""
    with np.errstate(all="ignore"):
        rel = _relative_rate(x)
        pairs = {
            "statcan": (_statcan_no_target(x, rel), _statcan(x, thresholds)),
            "unsd": (_unsd_no_target(x, rel), _unsd(x)),
            "linear": (np.full(len(x.d), None, dtype=object), _linear(x)),
        }
        out = {
            m: Judgement(
                np.where(x.improve, no_target, with_target[0]).astype(object),
                np.where(x.improve, np.nan, with_target[1]),
            )
            for m, (no_target, with_target) in pairs.items()
        }
    assert tuple(out) == METHODS
    return out


def disagree(statuses: dict[str, np.ndarray]) -> np.ndarray:
    # statuses: method -> object array of status keys (None: no rule)
    """True where the methods that have a rule for the row give different statuses."""
    columns = [np.asarray(s, dtype=object) for s in statuses.values()]
    n = len(columns[0]) if columns else 0
    fragile = np.zeros(n, dtype=bool)
    for i, a in enumerate(columns):  # pairs of methods (three of them), not rows
        for b in columns[i + 1 :]:
            both = (a != None) & (b != None)  # noqa: E711 (elementwise on object arrays)
            fragile |= both & (a != b)
    return fragile


def _relative_rate(x: TrendInputs) -> np.ndarray:
    """The observed rate as a growth rate: CAGR as it is; a slope over |base value|.

    A linear-trend indicator (one that is, or may reach, 0) has no CAGR; its slope is
    in target units, which no fixed threshold fits, so it is read as a share of the base
    value per year. From a base of 0 only the sign remains (±inf).
    """
    slope_share = np.where(x.y0 != 0, x.observed / np.abs(x.y0), np.sign(x.observed) * np.inf)
    return np.where(x.compound, x.observed, slope_share)


def _ladder(value: np.ndarray, on: np.ndarray | float, acc: np.ndarray | float) -> np.ndarray:
    """on_track / needs_acceleration / limited_progress (>= 0) / deteriorating (< 0)."""
    return np.select(
        [value >= on, value >= acc, value >= 0, value < 0],
        ["on_track", "needs_acceleration", "limited_progress", "deteriorating"],
        default="insufficient_data",  # NaN: a rate overflowed, no usable trend
    ).astype(object)


def _statcan(x: TrendInputs, th: Thresholds) -> tuple[np.ndarray, np.ndarray]:
    # R = d·CAGR_i / |CAGR_T|; undefined when the required rate is 0 (see status)
    ratio = np.where(x.required != 0, x.d * x.observed / np.abs(x.required), np.nan)
    status = np.select(
        [
            x.required == 0,  # base already on the target, latest not: moved away
            ratio >= th.on_track,
            ratio >= th.needs_acceleration,
            ratio >= th.limited_progress,
            ratio < th.limited_progress,
        ],
        ["deteriorating", "on_track", "needs_acceleration", "limited_progress", "deteriorating"],
        default="insufficient_data",
    )
    return status.astype(object), ratio


def _statcan_no_target(x: TrendInputs, rel: np.ndarray) -> np.ndarray:
    # Methodology 1: thresholds above 0 scale by C; with C = 0 any rate >= 0 is on track.
    on, acc = OPEN_SDG_NO_TARGET
    return _ladder(x.d * rel, on * x.limit_factor, acc * x.limit_factor)


def _unsd(x: TrendInputs) -> tuple[np.ndarray, np.ndarray]:
    share = (x.projected - x.y0) / (x.yT - x.y0)
    share = np.where(x.yT != x.y0, share, np.nan)
    on, acc = UNSD_TARGET
    status = np.select(
        [
            x.d * (x.yT - x.y0) <= 0,  # base on or past the target, latest not: moved away
            share >= on,
            share >= acc,
            x.d * (x.yi - x.y0) >= 0,  # below 0.10: the sign of the change decides
            x.d * (x.yi - x.y0) < 0,
        ],
        ["deteriorating", "on_track", "needs_acceleration", "limited_progress", "deteriorating"],
        default="insufficient_data",
    )
    unknown = np.isnan(share) & ~(x.d * (x.yT - x.y0) <= 0)
    return np.where(unknown, "insufficient_data", status).astype(object), share


def _unsd_no_target(x: TrendInputs, rel: np.ndarray) -> np.ndarray:
    return _ladder(x.d * rel, *UNSD_NO_TARGET)  # no limit factor: UNSD publishes none


def _linear(x: TrendInputs) -> tuple[np.ndarray, np.ndarray]:
    observed = (x.yi - x.y0) / x.dt_i
    required = (x.yT - x.y0) / x.dt_T
    ratio = np.where(required != 0, x.d * observed / np.abs(required), np.nan)
    on, acc = LINEAR_TARGET
    status = np.select(
        [required == 0, ratio >= on, ratio >= acc, ratio >= 0, ratio < 0],
        ["deteriorating", "on_track", "needs_acceleration", "limited_progress", "deteriorating"],
        default="insufficient_data",
    )
    return status.astype(object), ratio
