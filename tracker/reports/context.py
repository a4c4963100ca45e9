"""What a report needs to know besides the gaps frame: the run it belongs to.

The caller (the job behind `tracker run` and the scheduler) builds one of these:

    ctx = ReportContext(
        program="Quảng Ninh NTM", region="Quảng Ninh",
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

from ..model import ExchangeRate

CHANGE_KINDS = ("status", "gap", "new_reading", "corrected_reading", "retracted_reading")
LANGS = ("en", "vi")


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

    def __post_init__(self) -> None:
        # A naive timestamp would make gap-report.json ambiguous across time zones.
        if self.generated_at.tzinfo is None or self.generated_at.utcoffset() is None:
            raise ValueError("ReportContext.generated_at must be timezone-aware")
        if self.lang not in LANGS:
            raise ValueError(f"unknown report language {self.lang!r}; expected one of {LANGS}")
