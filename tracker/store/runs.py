"""The run ledger: every assessment run, its outcome and its rows.

A scheduled run first *claims* its slot: inserting (job, slot) succeeds for exactly one
process however many schedulers share the store (the unique key does the arbitration,
in SQLite and PostgreSQL alike). Manual runs have no slot and always proceed.

    >>> run_id = claim_run(engine, job="monthly", slot=fire_time)   # None: already taken
    >>> finish_run(engine, run_id, outcome="success", gaps=gaps, report_dir="reports/2026-11-29")
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import desc, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tracker.store import tables
from tracker.store.ledger import R, now_utc

RUN = tables.run
ROW = tables.run_row
MANUAL = "manual"
# A run with --as-of another day, --known-at or --out: recorded, but never the live state
# (not `latest`, not the last success in status, not the "previous run" of a report).
WHAT_IF = "what-if"


@dataclass(frozen=True)
class RunInfo:
    id: int
    job: str
    slot: datetime | None
    catch_up: bool
    started_at: datetime
    finished_at: datetime | None
    as_of: date | None
    known_at: datetime | None
    outcome: str
    error: str | None
    report_dir: str | None
    summary: dict[str, int]
    host: str


def _info(r: Any) -> RunInfo:
    return RunInfo(
        r.id,
        r.job,
        r.slot,
        r.catch_up,
        r.started_at,
        r.finished_at,
        r.as_of,
        r.known_at,
        r.outcome,
        r.error,
        r.report_dir,
        json.loads(r.summary) if r.summary else {},
        r.host,
    )


def claim_run(
    engine: Engine,
    *,
    job: str = MANUAL,
    slot: datetime | None = None,
    catch_up: bool = False,
    as_of: date | None = None,
    known_at: datetime | None = None,
    targets_sha256: str = "",
) -> int | None:
    """Record a run as started; None when (job, slot) was already claimed by someone else."""
    values = dict(
        job=job,
        slot=slot,
        catch_up=catch_up,
        host=socket.gethostname()[:200],
        started_at=now_utc(),
        as_of=as_of,
        known_at=known_at,
        targets_sha256=targets_sha256,
        outcome="running",
    )
    try:
        with engine.begin() as conn:
            return conn.execute(insert(RUN).values(**values).returning(RUN.c.id)).scalar_one()
    except IntegrityError:
        return None


def finish_run(
    engine: Engine,
    run_id: int,
    *,
    outcome: str,
    error: str | None = None,
    report_dir: str | None = None,
    gaps: pd.DataFrame | None = None,
    as_of: date | None = None,
) -> None:
    """Close a run with its outcome; on success store one row per target for history."""
    summary = None
    rows: list[dict[str, Any]] = []
    if gaps is not None:
        summary = json.dumps({str(k): int(v) for k, v in gaps["status"].value_counts().items()})
        kept = ["target", "indicator", "deadline", "status", "stale", "gap", "latest_value"]
        kept += ["latest_date", "latest_reading_id"]
        for g in gaps[kept].itertuples(index=False):  # one row per target, its own columns
            rows.append(
                dict(
                    run_id=run_id,
                    target=g.target,
                    indicator=g.indicator,
                    deadline=_day(g.deadline),
                    status=g.status,
                    stale=bool(g.stale),
                    gap=_num(g.gap),
                    latest_value=_num(g.latest_value),
                    latest_date=_day(g.latest_date),
                    latest_reading_id=None
                    if pd.isna(g.latest_reading_id)
                    else int(g.latest_reading_id),
                )
            )
    with engine.begin() as conn:
        values: dict[str, Any] = dict(
            outcome=outcome,
            error=error,
            finished_at=now_utc(),
            report_dir=report_dir,
            summary=summary,
        )
        if as_of is not None:
            values["as_of"] = as_of
        conn.execute(update(RUN).where(RUN.c.id == run_id).values(**values))
        if rows:
            conn.execute(insert(ROW), rows)


def _num(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _day(v: Any) -> date | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).date()


def recent_runs(engine: Engine, limit: int = 20) -> list[RunInfo]:
    with engine.connect() as conn:
        return [
            _info(r)
            for r in conn.execute(
                select(RUN).order_by(desc(RUN.c.started_at), desc(RUN.c.id)).limit(limit)
            )
        ]


def last_run(
    engine: Engine,
    *,
    outcome: str | None = None,
    before_id: int | None = None,
    job: str | None = None,
    live: bool = True,
) -> RunInfo | None:
    """The newest run matching; what-if runs only when `live` is False."""
    q = select(RUN).order_by(desc(RUN.c.id)).limit(1)
    if live:
        q = q.where(RUN.c.job != WHAT_IF)
    if outcome:
        q = q.where(RUN.c.outcome == outcome)
    if before_id is not None:
        q = q.where(RUN.c.id < before_id)
    if job is not None:
        q = q.where(RUN.c.job == job)
    with engine.connect() as conn:
        r = conn.execute(q).first()
    return _info(r) if r else None


def failures_since_last_success(engine: Engine, before_id: int | None = None) -> list[RunInfo]:
    """Failed runs after the newest successful one (oldest first)."""
    good = last_run(engine, outcome="success", before_id=before_id)
    q = select(RUN).where(RUN.c.outcome == "failed", RUN.c.job != WHAT_IF).order_by(RUN.c.id)
    if good is not None:
        q = q.where(RUN.c.id > good.id)
    if before_id is not None:
        q = q.where(RUN.c.id < before_id)
    with engine.connect() as conn:
        return [_info(r) for r in conn.execute(q)]


def last_slot(engine: Engine, job: str) -> datetime | None:
    """The newest slot claimed for `job` (any outcome): where catch-up starts from."""
    with engine.connect() as conn:
        return conn.execute(
            select(RUN.c.slot)
            .where(RUN.c.job == job, RUN.c.slot.is_not(None))
            .order_by(desc(RUN.c.slot))
            .limit(1)
        ).scalar()


def run_rows(engine: Engine, run_id: int) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(select(ROW).where(ROW.c.run_id == run_id), conn)


def target_history(engine: Engine, target: str | None = None, limit: int = 50) -> pd.DataFrame:
    """Status of targets over successful runs (what-ifs too: `history` lists them), newest
    first."""
    q = (
        select(
            RUN.c.id.label("run_id"),
            RUN.c.started_at,
            RUN.c.as_of,
            RUN.c.known_at,
            ROW.c.target,
            ROW.c.status,
            ROW.c.gap,
            ROW.c.latest_value,
            ROW.c.latest_date,
            ROW.c.stale,
        )
        .join(ROW, ROW.c.run_id == RUN.c.id)
        .order_by(desc(RUN.c.id), ROW.c.target)
        .limit(limit)
    )
    if target:
        q = q.where(ROW.c.target == target)
    with engine.connect() as conn:
        return pd.read_sql(q, conn)


def reading_changes_since(
    engine: Engine, since: datetime, until: datetime, *, limit: int = 100
) -> list[dict[str, Any]]:
    """Readings recorded, corrected or retracted in (since, until]: the ledger's own events,
    newest first, at most `limit` of each kind (a bulk import is summarised, not listed)."""
    with engine.connect() as conn:
        added = (
            conn.execute(
                select(R)
                .where(R.c.recorded_at > since, R.c.recorded_at <= until)
                .order_by(desc(R.c.id))
                .limit(limit)
            )
            .mappings()
            .all()
        )
        retracted = (
            conn.execute(
                select(R)
                .where(R.c.state == "retracted", R.c.ended_at > since, R.c.ended_at <= until)
                .order_by(desc(R.c.id))
                .limit(limit)
            )
            .mappings()
            .all()
        )
    events = [dict(r, event="corrected" if r["revision_of"] else "new") for r in added]
    events += [dict(r, event="retracted") for r in retracted]
    return events
