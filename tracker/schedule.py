"""`tracker schedule`: run the job on the programme's cron schedule, each slot exactly once.

    >>> configure_logging(program.timezone)
    >>> serve(settings, program, engine)              # blocks until SIGTERM / SIGINT
    0
    >>> next_fire_times(make_trigger("0 6 1 * *", "Asia/Ho_Chi_Minh"), 2, now)
    [datetime(2026, 12, 1, 6, 0, tzinfo=...), datetime(2027, 1, 1, 6, 0, tzinfo=...)]

How it works:

- An APScheduler 3 `BlockingScheduler` in the foreground holds one cron job, built
  from targets.yaml (`schedule`, `timezone`, `catch_up`, `notify`) at every start;
  nothing is pickled. Each run re-reads targets.yaml, exactly like `tracker run`, so new
  goals count without a restart; `schedule`, `timezone`, `catch_up` and `notify` are
  read at start, and a change to them needs one.
- A **slot** is the trigger's scheduled fire time in UTC (never the wall clock), so every
  process computes the same key. `job.run_job(settings, RunRequest(job=..., slot=...))`
  claims (job, slot) in the run ledger before any work; the unique key lets one process win
  and the others log "skipped". A slot's report is "as of" the slot's day in the programme timezone:
  a catch-up run two days late still writes the report that slot was meant to write.
- **Catch-up** (`catch_up: latest`): at start, if the newest fire time at or before now
  is later than the newest slot in the ledger, that one slot runs at once, with
  `catch_up=True` (the report says so); older missed ticks are not replayed. A job that
  has never run does not catch up (start with `tracker run` for a first report). A slot
  that fires more than `LATE_AFTER` late while running (a suspended machine) counts as
  a catch-up too. With `catch_up: none` such slots are logged and left alone.
- **Stopping**: the first SIGTERM / SIGINT stops scheduling and lets the run in flight
  finish (exit 0); a second one abandons it: the run is interrupted, recorded as failed,
  and the report writer removes its temporary folder (exit 1). Reports are written to a
  hidden folder and renamed into place, so neither leaves half a report. Temporary
  folders older than `STALE_TEMP_AGE` (left by a process killed hard) are removed at start.
- **Logs**: one line per event on stderr, stamped in the programme timezone.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_SCHEDULER_START,
    JobExecutionEvent,
)
from apscheduler.executors.base import BaseExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.engine import Engine, make_url

from tracker import notify
from tracker.cron import latest_fire_time, make_trigger, next_fire_times
from tracker.model import Program
from tracker.outpaths import STALE_TEMP_AGE as STALE_TEMP_AGE
from tracker.outpaths import clean_stale_temp
from tracker.reports import preload
from tracker.settings import Settings
from tracker.store import runs
from tracker.terminal import visible

DEFAULT_JOB = "schedule"
LIST_COUNT = 5
LATE_AFTER = timedelta(seconds=60)  # a slot started later than this was missed, not run
ABANDON_WAIT_S = 15.0  # after a second signal, how long the interrupted run may take to unwind

log = logging.getLogger("tracker.schedule")


# ---------------------------------------------------------------------------- cron


def missed_slot(engine: Engine, job: str, trigger: CronTrigger, now: datetime) -> datetime | None:
    """The newest fire time since the job's last claimed slot, if one was missed."""
    last = runs.last_slot(engine, job)
    if last is None:  # never scheduled before: nothing was missed
        return None
    return latest_fire_time(trigger, _utc(last), now)


def _utc(moment: datetime) -> datetime:
    # SQLite hands timestamps back naive; the ledger stores them in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# ---------------------------------------------------------------------------- logging


class _ZonedFormatter(logging.Formatter):
    """`2026-12-01T06:00:00+07:00 INFO message`: the stamp in the programme timezone."""

    def __init__(self, tz: ZoneInfo) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, self.tz).isoformat(timespec="seconds")

    def format(self, record: logging.LogRecord) -> str:
        # A refused file's name or rows can carry escape sequences: a log is read on a terminal.
        return visible(super().format(record))


def _not_max_instances(record: logging.LogRecord) -> bool:
    # SlotRunner.busy says the same in the scheduler's own words (with the slot).
    return not (
        record.name.startswith("apscheduler") and str(record.msg).startswith("Execution of job")
    )


def configure_logging(timezone: str, stream: Any = None) -> None:
    """One line per event on stderr; APScheduler's own chatter only from WARNING up."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_ZonedFormatter(ZoneInfo(timezone)))
    handler.addFilter(_not_max_instances)
    for name, level in (("tracker", logging.INFO), ("apscheduler", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False


# ---------------------------------------------------------------------------- one slot


class SlotRunner:
    """Runs one slot through `run_job` and logs, records and announces what happened."""

    def __init__(
        self,
        settings: Settings,
        program: Program,
        engine: Engine,
        *,
        job: str,
        started: datetime,
    ) -> None:
        self.settings = settings
        self.program = program
        self.engine = engine
        self.job = job
        self.started = started
        self.tz = ZoneInfo(program.timezone)
        self.pid = os.getpid()
        self.host = socket.gethostname()
        self._local = threading.local()

    def show(self, slot: datetime) -> str:
        return slot.astimezone(self.tz).isoformat(timespec="seconds")

    def _claimed(self, slot: datetime, as_of: date, catch_up: bool) -> None:
        """run_job won the slot for this process: say so before the work starts."""
        self._local.claimed = True
        log.info(
            "slot %s claimed (job %s, pid %d, host %s)",
            self.show(slot),
            self.job,
            self.pid,
            self.host,
        )
        log.info(
            "slot %s: run started, as of %s%s",
            self.show(slot),
            as_of,
            " (catch-up)" if catch_up else "",
        )

    def __call__(self, *, slot: datetime | None = None) -> None:
        """Run `slot` (given by _SlotExecutor: the fire time it was scheduled for)."""
        if slot is None:
            raise TypeError("SlotRunner needs the slot; schedule it with _SlotExecutor")
        slot = slot.astimezone(UTC)
        late = datetime.now(UTC) - slot
        catch_up = slot < self.started or late > LATE_AFTER
        if catch_up and self.program.catch_up == "none":
            log.info(
                'slot %s missed (%s late); catch_up is "none": not run',
                self.show(slot),
                _duration(late),
            )
            return
        try:
            self._run(slot, catch_up)
        except Exception as e:  # the store went away while we looked: say so, keep going
            log.error("slot %s: %s", self.show(slot), _first_line(e))

    def _run(self, slot: datetime, catch_up: bool) -> None:
        from tracker.job import RunRequest, run_job

        as_of = slot.astimezone(self.tz).date()
        self._local.claimed = False
        began = time.monotonic()
        try:
            result = run_job(
                self.settings,
                RunRequest(job=self.job, slot=slot, catch_up=catch_up, as_of=as_of),
                engine=self.engine,
                on_claimed=lambda _run_id: self._claimed(slot, as_of, catch_up),
            )
        except BaseException as e:  # run_job recorded it if it was ours; it never kills us
            self._after_failure(slot, e, time.monotonic() - began, catch_up)
            return
        if result.skipped:
            self._log_taken(slot)
            return
        counts = result.counts
        log.info(
            "slot %s finished in %.1f s: run #%s, %d targets: %s; report %s",
            self.show(slot),
            time.monotonic() - began,
            result.run_id,
            sum(counts.values()),
            ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none",
            result.report_dir,
        )
        self._announce(slot, catch_up)

    def _after_failure(self, slot: datetime, e: BaseException, took: float, catch_up: bool) -> None:
        interrupted = isinstance(e, KeyboardInterrupt | SystemExit)
        if not self._local.claimed:
            if _slot_run(self.engine, self.job, slot) is not None:  # another process's run
                self._log_taken(slot)
            elif interrupted:
                log.error("slot %s abandoned before it was claimed", self.show(slot))
            else:
                log.error("slot %s could not run: %s", self.show(slot), _first_line(e))
            return
        if interrupted:
            _close_if_running(self.engine, self.job, slot)
        info = _slot_run(self.engine, self.job, slot)
        log.error(
            "slot %s %s after %.1f s: run #%s: %s",
            self.show(slot),
            "abandoned" if interrupted else "failed",
            took,
            info.id if info else "?",
            "interrupted; no report was written" if interrupted else _first_line(e),
        )
        log_failures(self.engine)
        self._announce(slot, catch_up)

    def busy(self, submission: Any) -> None:
        """EVENT_JOB_MAX_INSTANCES: a slot fell due while this process still ran the last."""
        for slot in submission.scheduled_run_times:
            log.warning(
                "slot %s skipped here: the previous run is still going (job %s, pid %d); "
                "another scheduler may take it",
                self.show(slot),
                self.job,
                self.pid,
            )

    def _log_taken(self, slot: datetime) -> None:
        other = _slot_run(self.engine, self.job, slot)
        where = f" (run #{other.id} on host {other.host})" if other else ""
        log.info("slot %s skipped: already taken by another scheduler%s", self.show(slot), where)

    def _announce(self, slot: datetime, catch_up: bool) -> None:
        if not (self.program.notify.command or self.program.notify.webhook):
            return
        info = _slot_run(self.engine, self.job, slot)
        if info is None:
            return
        notify.send(self.program.notify, run_summary(self.engine, self.program, info, catch_up))


def run_summary(engine: Engine, program: Program, info: runs.RunInfo, catch_up: bool) -> dict:
    """What the notify hooks receive (JSON)."""
    tz = ZoneInfo(program.timezone)
    failures = runs.failures_since_last_success(engine)
    return {
        "program": program.name,
        "job": info.job,
        "slot": _utc(info.slot).astimezone(tz).isoformat() if info.slot else None,
        "catch_up": catch_up,
        "run_id": info.id,
        "outcome": info.outcome,
        "as_of": info.as_of.isoformat() if info.as_of else None,
        "report_dir": info.report_dir,
        "counts": info.summary,
        "error": info.error,
        "consecutive_failures": len(failures),
        "host": info.host,
    }


def log_failures(engine: Engine) -> int:
    """Log at ERROR how many runs failed since the last success; returns that count."""
    failures = runs.failures_since_last_success(engine)
    if failures:
        good = runs.last_run(engine, outcome="success")
        since = (
            f"since the last success (run #{good.id}, {_utc(good.started_at):%Y-%m-%d %H:%M} UTC)"
            if good
            else "and no run has succeeded yet"
        )
        log.error(
            "%d consecutive failed run(s) %s; `tracker status` shows the last error",
            len(failures),
            since,
        )
    return len(failures)


def _slot_run(engine: Engine, job: str, slot: datetime) -> runs.RunInfo | None:
    """The run that claimed (job, slot), whichever process it was."""
    with engine.connect() as conn:
        run_id = conn.execute(
            select(runs.RUN.c.id).where(runs.RUN.c.job == job, runs.RUN.c.slot == slot)
        ).scalar()
    if run_id is None:
        return None
    return runs.last_run(engine, before_id=run_id + 1, job=job)  # that very run


def _close_if_running(engine: Engine, job: str, slot: datetime) -> None:
    # An interruption that lands after run_job's own bookkeeping must not leave "running".
    info = _slot_run(engine, job, slot)
    if info is not None and info.outcome == "running":
        error = "interrupted (the scheduler was stopped); no report was written"
        runs.finish_run(engine, info.id, outcome="failed", error=error)


def _first_line(e: BaseException) -> str:
    text = str(e) or type(e).__name__
    return text.splitlines()[0]


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


# ---------------------------------------------------------------------------- executor


class _SlotExecutor(BaseExecutor):
    """Runs each due slot in its own thread and hands the job its scheduled fire time.

    APScheduler's stock executors call a job without saying when it was due; the slot key
    must be that time, identical in every process, not the moment the thread got going.
    """

    def __init__(self) -> None:
        super().__init__()
        self._threads: set[threading.Thread] = set()
        self._guard = threading.Lock()
        self._closed = False

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        if self._closed:  # a tick that raced with the stop signal: not started at all
            log.info("slot %s not started: the scheduler is stopping", run_times[-1].isoformat())
            return
        thread = threading.Thread(target=self._run, args=(job, run_times), name=f"slot-{job.id}")
        with self._guard:
            self._threads.add(thread)
        thread.start()

    def _run(self, job: Any, run_times: list[datetime]) -> None:
        events = []
        try:
            for run_time in run_times:
                job.func(*job.args, **{**job.kwargs, "slot": run_time})
                events.append(JobExecutionEvent(EVENT_JOB_EXECUTED, job.id, "default", run_time))
        except BaseException as e:
            self._run_job_error(job.id, e, e.__traceback__)
        else:
            self._run_job_success(job.id, events)
        finally:
            with self._guard:
                self._threads.discard(threading.current_thread())

    def running(self) -> list[threading.Thread]:
        with self._guard:
            return [t for t in self._threads if t.is_alive()]

    def shutdown(self, wait: bool = True) -> None:
        self._closed = True
        if wait:
            for thread in self.running():
                thread.join()


# ---------------------------------------------------------------------------- signals


class _Stopper:
    """First signal: stop scheduling, let the run in flight finish. Second: abandon it.

    The handler itself only counts and hands the work to a thread: it interrupts the main
    thread at an arbitrary point, possibly inside the scheduler's own locks.
    """

    def __init__(self, scheduler: BlockingScheduler, executor: _SlotExecutor) -> None:
        self.scheduler = scheduler
        self.executor = executor
        self.signals = 0
        self.abandoned_at: float | None = None

    def install(self) -> Callable[[], None]:
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        self.scheduler.add_listener(self._on_started, EVENT_SCHEDULER_START)

        def restore() -> None:
            for s, handler in previous.items():
                signal.signal(s, handler)

        return restore

    def _on_started(self, _event: Any) -> None:
        if self.signals:  # a signal came before the scheduler was running
            self._stop()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.signals += 1
        name = signal.Signals(signum).name
        work = self._first if self.signals == 1 else self._abandon
        threading.Thread(target=work, args=(name,), daemon=True).start()

    def _first(self, name: str) -> None:
        in_flight = self.executor.running()
        if in_flight:
            log.info(
                "%s: stopping; waiting for the run in flight to finish (%s again abandons it)",
                name,
                name,
            )
        else:
            log.info("%s: stopping", name)
        self._stop()

    def _stop(self) -> None:
        # Not started yet? Then the EVENT_SCHEDULER_START listener stops it.
        with contextlib.suppress(SchedulerNotRunningError):
            self.scheduler.shutdown(wait=False)

    def _abandon(self, name: str) -> None:
        in_flight = self.executor.running()
        if not in_flight or self.abandoned_at is not None:
            return
        log.warning("%s again: abandoning the run in flight", name)
        self.abandoned_at = time.monotonic()
        for thread in in_flight:  # run_job records the interruption; the writer cleans up
            if thread.ident is not None:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread.ident), ctypes.py_object(KeyboardInterrupt)
                )
        self._stop()

    def wait_for_runs(self) -> int:
        """Block until no run is in flight; the exit code: 1 if one was abandoned."""
        while self.executor.running():
            if self.abandoned_at is not None and time.monotonic() - self.abandoned_at > (
                ABANDON_WAIT_S
            ):
                log.error(
                    "the abandoned run did not stop within %d s; exiting anyway", ABANDON_WAIT_S
                )
                logging.shutdown()
                os._exit(1)
            time.sleep(0.1)
        return 1 if self.abandoned_at is not None else 0


# ---------------------------------------------------------------------------- serve


def serve(
    settings: Settings,
    program: Program,
    engine: Engine,
    *,
    cron: str | None = None,
    job: str = DEFAULT_JOB,
) -> int:
    """Run the scheduler in the foreground until SIGTERM / SIGINT; returns the exit code."""
    notify.check(program.notify)
    preload()  # the report writers' libraries, now rather than in the first slot
    started = datetime.now(UTC)
    tz = ZoneInfo(program.timezone)
    expr = cron or program.schedule
    trigger = make_trigger(expr, program.timezone, "--cron" if cron else "schedule")
    missed = missed_slot(engine, job, trigger, started)
    runner = SlotRunner(settings, program, engine, job=job, started=started)
    first = next_fire_times(trigger, 1, started.astimezone(tz))
    hooks = [k for k in ("command", "webhook") if getattr(program.notify, k)]
    executor = _SlotExecutor()
    scheduler = BlockingScheduler(timezone=tz, executors={"default": executor})
    # The signal handlers go in before "scheduler started" is logged: from that line on a
    # SIGTERM stops the scheduler cleanly (it could still kill the process before).
    stopper = _Stopper(scheduler, executor)
    restore = stopper.install()
    try:
        log.info(
            'scheduler started: job %s, cron "%s" (%s), catch_up %s, notify %s, store %s, '
            "pid %d, host %s; next slot %s",
            job,
            expr,
            program.timezone,
            program.catch_up,
            " + ".join(hooks) or "none",
            make_url(settings.database_url).render_as_string(hide_password=True),
            runner.pid,
            runner.host,
            runner.show(first[0]) if first else "never",
        )
        for path in clean_stale_temp(settings.reports, started):
            log.warning("removed %s, left by an interrupted run", path)
        log_failures(engine)

        scheduler.add_listener(runner.busy, EVENT_JOB_MAX_INSTANCES)
        extra: dict[str, Any] = {}
        if missed is not None:
            if program.catch_up == "latest":
                log.info(
                    "slot %s was missed while no scheduler ran; catching up on it once",
                    runner.show(missed),
                )
                extra["next_run_time"] = missed.astimezone(tz)  # then on with the cron
            else:
                log.info(
                    'slot %s was missed while no scheduler ran; catch_up is "none": not run',
                    runner.show(missed),
                )
        scheduler.add_job(
            runner,
            trigger,
            id=job,
            name=job,
            max_instances=1,  # here, a slot runs to its end before the next one starts
            coalesce=True,  # a backlog of ticks is one run (the newest), never a burst
            misfire_grace_time=None,  # lateness is judged by SlotRunner (LATE_AFTER, catch_up)
            **extra,
        )
        scheduler.start()  # returns once a signal has shut it down
        code = stopper.wait_for_runs()
    finally:
        restore()
    log.info("scheduler stopped (job %s, pid %d)", job, runner.pid)
    return code
