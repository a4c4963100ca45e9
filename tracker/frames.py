"""The column contracts of the two DataFrames that flow through tracker.

READINGS: what `store.queries.readings_frame` returns and `assess.assess` consumes.
One row per current reading (as of / as known at), values already converted to the
indicator's unit. Shares (`ratio_of`) appear as extra rows computed from their counts
(reading_id is <NA> for those). A reading that could not be converted has value NaN
and says why in `error`.

GAPS: what `assess.assess` returns and `reports/` render; one row per target.
The first block is the public contract of gap-report.json/csv (DESIGN.md); the
rest are extras the reports use.
"""

READING_COLUMNS = [
    "reading_id",  # Int64; <NA> for computed share points
    "indicator",  # str: key in targets.yaml
    "area",  # str
    "date",  # datetime64[ns]: the day the reading describes (a period's last day)
    "value",  # float64: in the indicator's unit (milestone: 1.0 yes / 0.0 no); NaN if unconvertible
    "raw_value",  # float64: as recorded
    "unit",  # str: unit as written on the reading
    "qualifier",  # str or None: more_than | less_than | about | almost
    "source",  # str
    "note",  # str or None
    "conversion",  # str or None: how the value was converted (e.g. the exchange rate used)
    "error",  # str or None: why the value could not be converted
    "recorded_at",  # datetime64[ns]: when this revision was recorded (UTC, naive)
]

GAP_CONTRACT_COLUMNS = [
    "indicator",
    "target",
    "deadline",
    "unit",
    "target_value",
    "stretch_value",
    "baseline_value",
    "baseline_date",
    "latest_value",
    "latest_date",
    "gap",
    "observed_rate",
    "required_rate",
    "needed_rate",
    "ratio",
    "projected_value",
    "status",
    "stale",
    "note",
]

GAP_EXTRA_COLUMNS = [
    "name_en",
    "name_vi",
    "kind",  # number | milestone
    "comparator",  # at_least | more_than | at_most | less_than | equals | done | improve
    "direction",  # increase | decrease
    "trend",  # compound | linear (the one actually used, after any fallback)
    "stretch_gap",  # distance from latest to stretch (never negative), or NaN
    "latest_qualifier",
    "latest_source",
    "latest_reading_id",
    "conversion",  # conversion text of the latest reading, if any
    "n_points",  # points used for the trend (baseline included)
    # assessment: {compare: true} only (else None / False); docs/methods.md
    "status_by_method",  # {method: status or None} per row, in model.METHODS order
    "fragile",  # bool: the methods that have a rule for the row disagree
]

GAP_COLUMNS = GAP_CONTRACT_COLUMNS + GAP_EXTRA_COLUMNS

# The float64 columns of the gaps frame (NaN where a figure cannot be computed).
GAP_FLOAT_COLUMNS = [
    "target_value",
    "stretch_value",
    "baseline_value",
    "latest_value",
    "gap",
    "observed_rate",
    "required_rate",
    "needed_rate",
    "ratio",
    "projected_value",
    "stretch_gap",
]

STATUSES = [
    "achieved",
    "on_track",
    "needs_acceleration",
    "limited_progress",
    "deteriorating",
    "missed",
    "insufficient_data",
    "no_data",
]
