"""`tracker status`: the last run, whether it succeeded, failures since, stale and overdue.

    >>> text, healthy = status_text(engine, program)

Healthy means: the last run succeeded and no scheduled slot has been missed since.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from tracker.model import Program
from tracker.store import runs

# A slot this long past without a run is overdue (the run itself takes a while).
OVERDUE_GRACE = timedelta(hours=1)
# No run takes this long: one still "running" after it was killed without a chance to
# record it (SIGKILL, power loss).
STUCK_AFTER = timedelta(hours=6)


def next_slot_after(program: Program, after: datetime, cron: str | None = None) -> datetime | None:
    from tracker.cron import make_trigger

    trigger = make_trigger(cron or program.schedule, program.timezone)
    return trigger.get_next_fire_time(None, after.astimezone(trigger.timezone))


def local_time(moment: datetime | None, timezone: str) -> str:
    """A stored moment as the programme's officers read it: in its timezone, offset shown."""
    from zoneinfo import ZoneInfo

    if moment is None:
        return "-"
    if moment.tzinfo is None:  # the store keeps UTC
        moment = moment.replace(tzinfo=UTC)
    try:
        zone = ZoneInfo(timezone)
    except Exception:  # load_program refused an unknown zone already; stay readable
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M ") + (
        "UTC" if offset == "+0000" else f"{offset[:3]}:{offset[3:]}"
    )


def status_text(engine: Engine, program: Program, now: datetime | None = None) -> tuple[str, bool]:
    def _when(moment: datetime | None) -> str:
        return local_time(moment, program.timezone)

    now = now or datetime.now(UTC)
    last = runs.last_run(engine)
    if last is None:
        return (
            "no runs yet: run `tracker run`, or start `tracker schedule` "
            f'(schedule "{program.schedule}" {program.timezone})',
            False,
        )
    good = runs.last_run(engine, outcome="success")
    bad = runs.last_run(engine, outcome="failed")
    failures = runs.failures_since_last_success(engine)
    lines = [
        f"programme: {program.name}",
        f"last run: #{last.id} {last.job} started {_when(last.started_at)}: {last.outcome}"
        + (f" (as of {last.as_of})" if last.as_of else ""),
        "last success: "
        + (f"#{good.id} {_when(good.finished_at)}, report {good.report_dir}" if good else "never"),
        "last failure: "
        + (
            f"#{bad.id} {_when(bad.started_at)}: "
            f"{(bad.error or '').splitlines()[0] if bad.error else ''}"
            if bad
            else "none"
        ),
    ]
    healthy = last.outcome != "failed"
    if last.outcome == "running" and now - last.started_at > STUCK_AFTER:
        lines.append(
            f'run #{last.id} has been "running" since {_when(last.started_at)}: its process '
            "was probably killed (power loss, SIGKILL); it left no report, and the next run "
            "goes ahead as usual"
        )
        healthy = False
    if failures:
        lines.append(f"consecutive failures since the last success: {len(failures)}")
        healthy = False
    due = next_slot_after(program, last.started_at)
    if due is not None and due + OVERDUE_GRACE < now:
        lines.append(
            f"overdue: a scheduled run was due at {_when(due)} and has not run; "
            "is `tracker schedule` running?"
        )
        healthy = False
    else:
        lines.append(f'next scheduled run: {_when(due)} ("{program.schedule}" {program.timezone})')
    if good is not None:
        rows = runs.run_rows(engine, good.id)
        stale = rows[rows["stale"].astype(bool)]
        if len(stale):
            lines.append(
                "stale readings (older than their reporting interval): "
                + ", ".join(sorted(set(stale["indicator"])))
            )
        counts = ", ".join(f"{v} {k}" for k, v in sorted(good.summary.items()))
        lines.append(f"statuses at the last success: {counts}")
    lines.append("state: OK" if healthy else "state: NEEDS ATTENTION")
    return "\n".join(lines), healthy
