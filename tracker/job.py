"""The main job: sync readings, assess every goal, write the gap report, record the run.

`tracker run` and the scheduler call the same function:

    >>> result = run_job(Settings.from_env(), RunRequest(as_of=date(2026, 11, 29)))
    >>> result.report_dir, result.counts
    (PosixPath('reports/2026-11-29'), {'achieved': 4, 'missed': 1, ...})

A run that fails is recorded in the run ledger with its error before the error
propagates, so `tracker status` and the next report can show it. A reading file with
bad rows does not sink the run: it is refused (nothing from it imported), the report
says so, and the rest is assessed.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from tracker.assess import assess
from tracker.model import Program
from tracker.outpaths import check_report_folder, clean_stale_temp
from tracker.reports import FORMATS, update_latest_pointer, write_report
from tracker.reports.context import Change, FailedRun, ReadingRef, ReportContext
from tracker.settings import Settings
from tracker.store import runs
from tracker.store.database import open_store
from tracker.store.sync import SyncResult, gone_files, reading_files, sync_files
from tracker.targets import load_program

MAX_READING_CHANGES = 100  # listed one by one in the report; the rest are counted


@dataclass
class RunResult:
    run_id: int | None
    skipped: bool = False  # the scheduled slot was already taken by another process
    as_of: date | None = None
    report_dir: Path | None = None
    gaps: pd.DataFrame | None = None
    sync: list[SyncResult] = field(default_factory=list)
    changes: tuple[Change, ...] = ()
    what_if: bool = False
    gone: tuple[str, ...] = ()  # imported files no longer in the readings folder

    @property
    def counts(self) -> dict[str, int]:
        if self.gaps is None:
            return {}
        return {str(k): int(v) for k, v in self.gaps["status"].value_counts().items()}


def today_in(program: Program) -> date:
    return datetime.now(ZoneInfo(program.timezone)).date()


@dataclass(frozen=True)
class RunRequest:
    """What one run should do; every field has the live job's default.

        >>> run_job(settings, RunRequest(as_of=date(2025, 12, 31), lang="vi"))

    A run is live (moves reports/latest) only without `known_at`, `out` and an `as_of` other
    than today; `job`, `slot` and `catch_up` are the scheduler's (each slot runs once)."""

    as_of: date | None = None
    known_at: datetime | None = None
    out: Path | None = None
    formats: Sequence[str] = FORMATS
    lang: str | None = None
    job: str = runs.MANUAL
    slot: datetime | None = None
    catch_up: bool = False
    sync: bool = True


def run_job(
    settings: Settings,
    request: RunRequest | None = None,
    *,
    engine: Engine | None = None,
    program: Program | None = None,
    on_claimed: Callable[[int], None] | None = None,
) -> RunResult:
    """Run the whole job once. Raises what went wrong after recording it in the run ledger.

    `on_claimed(run_id)` is called once the run is recorded as ours (for a scheduled slot:
    once this process has won it), before any work: the scheduler logs it."""
    req = request or RunRequest()
    as_of, known_at, job = req.as_of, req.known_at, req.job
    if req.out is not None:  # a wrong --out is the user's mistake, not a failed run
        check_report_folder(req.out)
    elif settings.reports.exists() and not settings.reports.is_dir():
        from tracker.errors import BadValue

        raise BadValue(
            f"the reports folder {settings.reports} is a file; point TRACKER_REPORTS / "
            "--reports at a folder"
        )
    engine = engine or open_store(settings.database_url)
    # Only the live run moves the live state; anything else is a what-if (DESIGN.md).
    what_if = known_at is not None or req.out is not None or as_of is not None
    if what_if and job == runs.MANUAL:
        job = runs.WHAT_IF

    def claim(day: date | None, targets_sha256: str = "") -> int | None:
        return runs.claim_run(
            engine,
            job=job,
            slot=req.slot,
            catch_up=req.catch_up,
            as_of=day,
            known_at=known_at,
            targets_sha256=targets_sha256,
        )

    try:
        program = program or load_program(settings.targets)
    except Exception as e:
        # Even a broken targets file is a run that failed: record it where status looks.
        run_id = claim(as_of)
        if run_id is not None:
            if on_claimed is not None:
                on_claimed(run_id)
            runs.finish_run(engine, run_id, outcome="failed", error=_error_text(e))
        raise
    today = today_in(program)
    if job == runs.WHAT_IF and as_of == today and known_at is None and req.out is None:
        job = runs.MANUAL  # --as-of today is the live run
    as_of = as_of or today
    run_id = claim(as_of, program.source_sha256)
    if run_id is None:
        return RunResult(None, skipped=True, as_of=as_of)
    try:
        if on_claimed is not None:  # inside the try: if it raises, the run is still closed
            on_claimed(run_id)
        result = _run(
            engine,
            settings,
            program,
            run_id,
            as_of=as_of,
            known_at=known_at,
            out=req.out,
            formats=req.formats,
            lang=req.lang or program.lang,
            catch_up=req.catch_up,
            sync=req.sync,
            what_if=job == runs.WHAT_IF,
        )
    except BaseException as e:
        runs.finish_run(engine, run_id, outcome="failed", error=_error_text(e))
        raise
    runs.finish_run(
        engine,
        run_id,
        outcome="success",
        gaps=result.gaps,
        report_dir=str(result.report_dir),
        as_of=as_of,
    )
    return result


def _error_text(e: BaseException) -> str:
    if isinstance(e, KeyboardInterrupt | SystemExit):
        return f"interrupted ({type(e).__name__}); no report was written"
    text = str(e) or type(e).__name__
    from tracker.errors import TrackerError
    from tracker.faults import plain_fault

    fault = plain_fault(e)  # a full disk or a read-only folder: the sentence, not a trace
    if fault is not None:
        return fault
    if not isinstance(e, TrackerError):  # a bug: keep where it happened
        text = f"{type(e).__name__}: {text}\n" + "".join(traceback.format_tb(e.__traceback__)[-3:])
    return text


def _run(
    engine: Engine,
    settings: Settings,
    program: Program,
    run_id: int,
    *,
    as_of: date,
    known_at: datetime | None,
    out: Path | None,
    formats: Sequence[str],
    lang: str,
    catch_up: bool,
    sync: bool,
    what_if: bool = False,
) -> RunResult:
    from tracker.store.queries import readings_frame

    synced: list[SyncResult] = []
    gone: tuple[str, ...] = ()
    if sync and known_at is None:  # a rebuild of the past must not change the store
        synced = sync_files(
            engine, program, reading_files(settings.actuals), settings.actuals, by="import"
        )
        gone = tuple(str(g) for g in gone_files(engine, settings.actuals))
    # Goals are the region's: sub-area readings (communes) are stored but not assessed,
    # so they stay in the database (a national store then costs what its region costs).
    # Only the XLSX report lists every reading with its source and note; the other formats
    # show the details of each target's latest reading, fetched for those alone.
    details = "xlsx" in formats
    readings = readings_frame(
        engine, program, as_of=as_of, known_at=known_at, area=program.region, details=details
    )
    gaps = assess(program, readings, as_of)
    if not details:
        gaps = _with_latest_details(engine, program, gaps, readings)
    previous = runs.last_run(engine, outcome="success", before_id=run_id)
    changes = _changes(engine, gaps, previous, known_at)
    failed = runs.failures_since_last_success(engine, before_id=run_id)
    notices = (
        tuple(
            f"{r.file}: refused, nothing imported from it ({len(r.problems)} problem(s)); "
            f"first: {r.problems[0]}"
            for r in synced
            if not r.ok
        )
        + gone
    )
    ctx = ReportContext(
        program=program.name,
        region=program.region,
        as_of=as_of,
        generated_at=datetime.now(ZoneInfo(program.timezone)),
        known_at=known_at,
        lang=lang,
        catch_up=catch_up,
        previous_run_at=previous.started_at if previous else None,
        changes=changes,
        failed_runs=tuple(FailedRun(f.started_at, f.error or "", f.slot) for f in failed),
        exchange_rates=program.exchange_rates,
        notices=notices,
        program_vi=program.name_vi,
        region_vi=program.region_vi,
        thresholds=program.thresholds,
        indicator_names=tuple((k, i.name_en, i.name_vi) for k, i in program.indicators.items()),
        method=program.method,
    )
    report_dir = out or _report_dir(settings.reports, as_of, known_at, what_if)
    report_dir.parent.mkdir(parents=True, exist_ok=True)
    for folder in {settings.reports, report_dir.parent}:  # what killed runs left behind
        clean_stale_temp(folder)
    write_report(gaps, readings, ctx, report_dir, formats)
    if not what_if:
        update_latest_pointer(settings.reports, report_dir)
    return RunResult(
        run_id,
        as_of=as_of,
        report_dir=report_dir,
        gaps=gaps,
        sync=synced,
        changes=changes,
        what_if=what_if,
        gone=gone,
    )


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _with_latest_details(
    engine: Engine, program: Program, gaps: pd.DataFrame, readings: pd.DataFrame
) -> pd.DataFrame:
    """gaps with what the lean read left out, for each target's latest reading alone: the
    stored reading's own source, the conversion text, a computed share's source."""
    from tracker.store.queries import conversion_texts, reading_details, share_sources

    stored = gaps["latest_reading_id"].notna()
    if stored.any():
        ids = gaps.loc[stored, "latest_reading_id"].astype("int64")
        details = reading_details(engine, ids.unique().tolist())
        gaps.loc[stored, "latest_source"] = details["source"].reindex(ids).to_numpy(object)
    converted = gaps["latest_rate"].notna()
    if converted.any():
        latest = gaps.loc[converted]
        gaps.loc[converted, "conversion"] = conversion_texts(
            pd.DataFrame(
                {
                    "raw_value": latest["latest_raw_value"],
                    "unit": latest["latest_raw_unit"],
                    "value": latest["latest_value"],
                    "indicator": latest["indicator"],
                    **{c: latest[f"latest_{c}"] for c in _RATE_COLUMNS},
                }
            ),
            program,
        )
    computed = ~stored & gaps["latest_date"].notna()
    if computed.any():
        wanted = [
            (ind, program.region, day)
            for ind, day in zip(
                gaps.loc[computed, "indicator"], gaps.loc[computed, "latest_date"], strict=True
            )
        ]
        gaps.loc[computed, "latest_source"] = share_sources(readings, program, wanted)
    return gaps


_RATE_COLUMNS = ("rate", "rate_from", "rate_to", "rate_year", "rate_estimate")


def _report_dir(reports: Path, as_of: date, known_at: datetime | None, what_if: bool) -> Path:
    """REPORTS/<as_of>/ for the live run; REPORTS/what-if/<as_of>[-known-<moment>]/ else."""
    if not what_if:
        return reports / as_of.isoformat()
    name = as_of.isoformat()
    if known_at is not None:
        name += "-known-" + known_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return reports / "what-if" / name


def _changes(
    engine: Engine, gaps: pd.DataFrame, previous: runs.RunInfo | None, known_at: datetime | None
) -> tuple[Change, ...]:
    """What differs from the last successful run: statuses, grown gaps, reading events."""
    if previous is None:
        return ()
    out: list[Change] = []
    before = runs.run_rows(engine, previous.id).set_index("target")
    for g in gaps.itertuples(index=False):
        if g.target not in before.index:
            out.append(Change("status", g.target, g.indicator, None, g.status, "new target"))
            continue
        old = before.loc[g.target]
        if old["status"] != g.status:
            out.append(Change("status", g.target, g.indicator, old["status"], g.status))
        old_gap = old["gap"]
        if pd.notna(g.gap) and pd.notna(old_gap) and g.gap > old_gap * (1 + 1e-9) + 1e-12:
            out.append(
                Change("gap", g.target, g.indicator, repr(float(old_gap)), repr(float(g.gap)))
            )
    until = known_at or datetime.now(UTC)
    events = runs.reading_changes_since(
        engine, previous.started_at, until, limit=MAX_READING_CHANGES
    )
    kinds = {
        "new": "new_reading",
        "corrected": "corrected_reading",
        "retracted": "retracted_reading",
    }
    for e in events:
        what = f"reading {e['id']}: {e['value']:g} {e['unit']} on {e['period_date']}"
        detail = e["source"] if e["event"] != "retracted" else (e["end_reason"] or "")
        before_text = f"reading {e['revision_of']}" if e["event"] == "corrected" else None
        ref = ReadingRef(
            int(e["id"]),
            float(e["value"]),
            str(e["unit"]),
            _as_date(e["period_date"]),
            int(e["revision_of"]) if e["event"] == "corrected" and e["revision_of"] else None,
        )
        out.append(Change(kinds[e["event"]], None, e["indicator"], before_text, what, detail, ref))
    return tuple(out)
