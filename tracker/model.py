"""The declared programme as typed, validated objects (built by `targets.load_program`).

Nothing downstream of `targets.py` sees raw YAML: it sees these frozen dataclasses.
Values are always in the indicator's own unit (`Indicator.unit`); a milestone's
values are 1.0 (yes / done) and 0.0 (no).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Comparator = Literal["at_least", "more_than", "at_most", "less_than", "equals", "done", "improve"]
COMPARATORS: tuple[Comparator, ...] = (
    "at_least",
    "more_than",
    "at_most",
    "less_than",
    "equals",
    "done",
    "improve",  # a goal without a number: keep moving in the indicator's direction
)
Method = Literal["statcan", "unsd", "linear"]
METHODS: tuple[Method, ...] = ("statcan", "unsd", "linear")  # docs/methods.md
Direction = Literal["increase", "decrease"]
Trend = Literal["compound", "linear"]
Kind = Literal["number", "milestone", "measure"]  # number: a count or amount; measure: any real
Qualifier = Literal["more_than", "less_than", "about", "almost"]
QUALIFIERS: tuple[Qualifier, ...] = ("more_than", "less_than", "about", "almost")


@dataclass(frozen=True)
class Thresholds:
    """Lower bounds of the ratio R for each status (DESIGN.md, "Assessment method")."""

    on_track: float = 0.95
    needs_acceleration: float = 0.60
    limited_progress: float = 0.0


@dataclass(frozen=True)
class ExchangeRate:
    """`rate` units of `to` buy one unit of `from_` during `year`."""

    from_: str
    to: str
    year: int
    rate: float
    source: str
    estimate: bool = False


@dataclass(frozen=True)
class Baseline:
    """A declared starting point, in the indicator's unit.

    With a `value` it is not a reading. Without one (`baseline: {date: 2015}`) the base
    point is the current reading of that period, or the first one after it.
    """

    date: date
    value: float | None
    source: str | None


@dataclass(frozen=True)
class Target:
    """One dated goal of one indicator.

    `value` is the goal in the indicator's unit (1.0 for `done: true`, 0.0 for
    `done: false`, NaN for `improve: true`, a goal without a number); `stretch` is the
    optional stretch value of a range goal.
    """

    id: str
    indicator: str
    deadline: date
    comparator: Comparator
    value: float
    stretch: float | None = None
    line: int | None = None


@dataclass(frozen=True)
class Indicator:
    key: str
    name_en: str
    name_vi: str
    unit: str  # as written in targets.yaml ("USD/person/year", "percent", "communes")
    kind: Kind = "number"
    direction: Direction = "increase"
    trend: Trend = "compound"
    report_every_months: int | None = None  # stale when the latest reading is older
    baseline: Baseline | None = None
    limit_factor: float = 1.0  # Open SDG's C: scales the thresholds of goals without a number
    ratio_of: tuple[str, str] | None = None  # (numerator, denominator) indicator keys
    bounds: tuple[float, float] | None = None  # declared [min, max] a reading may take
    targets: tuple[Target, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en


@dataclass(frozen=True)
class Notify:
    """Optional hook called after each scheduled run (and on failure)."""

    command: str | None = None
    webhook: str | None = None


@dataclass(frozen=True)
class Program:
    name: str  # English (or the one language given)
    region: str  # the region's area key (what a reading's `area` defaults to)
    timezone: str = "UTC"
    schedule: str = "0 6 1 * *"
    lang: str = "en"
    catch_up: Literal["latest", "none"] = "latest"
    thresholds: Thresholds = field(default_factory=Thresholds)
    method: Method = "statcan"  # assessment: {method: ...}; docs/methods.md
    compare: bool = False  # assessment: {compare: true}: every method, side by side
    split_year_end: str | None = None  # "MM-DD": when a split year (2015-16) ends
    exchange_rates: tuple[ExchangeRate, ...] = ()
    indicators: dict[str, Indicator] = field(default_factory=dict)
    notify: Notify = field(default_factory=Notify)
    public_read: bool = False  # web: {public_read: true}: reading pages without an account
    source_path: str = "targets.yaml"
    source_sha256: str = ""
    name_vi: str = ""  # "" when targets.yaml gives the name in one language only
    region_vi: str = ""

    def display_name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" and self.name_vi else self.name

    def display_region(self, lang: str) -> str:
        return self.region_vi if lang == "vi" and self.region_vi else self.region

    @property
    def targets(self) -> list[Target]:
        return [t for ind in self.indicators.values() for t in ind.targets]
