"""What a report needs to know besides the gaps frame: the run it belongs to.

The caller (the job behind `tracker run` and the scheduler) builds one of these:

    ctx = ReportContext(
        program="Quảng Ninh NTM", region="Quảng Ninh", program_vi="NTM Quảng Ninh",
        as_of=date(2025, 6, 30),
        generated_at=datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")),
        lang="vi",
        previous_run_at=last_good_run.finished_at,
        changes=(Change("status", "income_2025", "income", "on_track", "missed"),),
    )
    write_report(gaps, readings, ctx, Path("reports/2025-06-30"))

Everything here is plain data: the report modules only render it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..model import ExchangeRate, Thresholds

CHANGE_KINDS = ("status", "gap", "new_reading", "corrected_reading", "retracted_reading")
LANGS = ("en", "vi")


@dataclass(frozen=True)
class ReadingRef:
    """The reading a change is about: its id, value, unit as written and period date."""

    id: int
    value: float
    unit: str
    period: date
    revision_of: int | None = None


@dataclass(frozen=True)
class Change:
    """One difference between this run and the previous good one.

    `before` / `after` are already strings: a status key ("on_track"), a number as
    written by `repr(float)` ("1250.0"), or a reading described in words. The
    report translates status keys and reformats numbers for its language.
    """

    kind: str  # one of CHANGE_KINDS
    target: str | None
    indicator: str | None
    before: str | None
    after: str | None
    detail: str = ""
    # A reading event, as data, so each report can say it in its own language
    # (`before` / `after` keep the English text for gap-report.json).
    reading: ReadingRef | None = None

    def __post_init__(self) -> None:
        if self.kind not in CHANGE_KINDS:
            raise ValueError(f"unknown change kind {self.kind!r}; expected one of {CHANGE_KINDS}")


@dataclass(frozen=True)
class FailedRun:
    """A run that failed since the last one that succeeded (from the run ledger)."""

    started_at: datetime
    error: str
    scheduled_for: datetime | None = None


@dataclass(frozen=True)
class ReportContext:
    """The run a report belongs to: programme, dates, language and what changed."""

    program: str
    region: str
    as_of: date
    generated_at: datetime  # timezone-aware: the JSON contract carries its offset
    known_at: datetime | None = None  # set when rebuilding "as known at" a past moment
    lang: str = "en"  # "en" | "vi"
    catch_up: bool = False  # this run was a scheduler catch-up of a missed slot
    previous_run_at: datetime | None = None  # None: this is the first run
    changes: tuple[Change, ...] = ()
    failed_runs: tuple[FailedRun, ...] = ()  # failed runs since the last good one
    exchange_rates: tuple[ExchangeRate, ...] = ()  # shown under "Conversions used"
    notices: tuple[str, ...] = ()  # e.g. a reading file refused this run, shown at the top
    method: str = "statcan"  # the programme's assessment method (model.METHODS)
    program_vi: str = ""  # the programme's / region's names in Vietnamese, "" if not given
    region_vi: str = ""
    thresholds: Thresholds = Thresholds()  # shown under "How to read this report"
    # (key, English name, Vietnamese name) of every indicator: changes name indicators
    # that have no goal in the table too
    indicator_names: tuple[tuple[str, str, str], ...] = ()

    def indicator_name(self, key: str) -> str:
        for k, en, vi in self.indicator_names:
            if k == key:
                return (vi or en) if self.lang == "vi" else (en or vi)
        return key

    def program_name(self) -> str:
        """The programme's name in the report's language (JSON keeps `program`)."""
        return self.program_vi if self.lang == "vi" and self.program_vi else self.program

    def region_name(self) -> str:
        """The region's name in the report's language (`region` stays the area key)."""
        return self.region_vi if self.lang == "vi" and self.region_vi else self.region

    def __post_init__(self) -> None:
        # A naive timestamp would make gap-report.json ambiguous across time zones.
        if self.generated_at.tzinfo is None or self.generated_at.utcoffset() is None:
            raise ValueError("ReportContext.generated_at must be timezone-aware")
        if self.lang not in LANGS:
            raise ValueError(f"unknown report language {self.lang!r}; expected one of {LANGS}")
