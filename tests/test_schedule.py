"""tracker schedule: the real scheduler, the real clock, real processes, real databases.

The slow tests start the installed `tracker` console script as subprocesses with
per-second schedules (`--cron "*/1 * * * * *"`) for a few seconds each, stop them with
SIGTERM as systemd would, and then read the run ledger, the logs and reports/.
"""

from __future__ import annotations

import http.server
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from tracker import cron, notify, schedule
from tracker.cli import app
from tracker.errors import BadValue
from tracker.model import Notify
from tracker.reports import FORMATS
from tracker.store import runs
from tracker.store.database import open_store

TRACKER = Path(sys.executable).with_name("tracker")  # the console script of this venv
TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # the shipped targets.yaml's timezone
PER_SECOND = "*/1 * * * * *"
DAILY = "0 0 * * *"  # midnight in the programme's timezone: the last slot is always past


# ---------------------------------------------------------------------------- helpers


@dataclass
class Scheduler:
    """One `tracker schedule` process; its stderr goes to a file the test reads."""

    proc: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def signal(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait(self, timeout: float = 300) -> int:  # generous: the machine may be loaded
        return self.proc.wait(timeout)


def start(cwd: Path, db_url: str, *args: str) -> Scheduler:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATABASE_URL"] = db_url
    log = cwd / f"schedule-{uuid.uuid4().hex[:8]}.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [str(TRACKER), "schedule", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    return Scheduler(proc, log)


def stop_all(scheds: list[Scheduler]) -> list[int]:
    for s in scheds:  # signal every one first, as a shutdown of several machines would
        s.signal()
    return [s.wait() for s in scheds]


@pytest.fixture
def running() -> Iterator[list[Scheduler]]:
    """Schedulers a test started; killed if the test fails before stopping them."""
    started: list[Scheduler] = []
    yield started
    for s in started:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


# Upper bounds only (a passing test never waits them out), generous enough for a machine
# running several test suites at once: tests wait for events, never for a fixed time.
LOADED = 300.0


def wait_until(
    check: Callable[[], object], what: str, timeout: float = LOADED, every: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def first_slot(log: str) -> datetime:
    """The first slot a scheduler waits for, from its "scheduler started" line."""
    return datetime.fromisoformat(log.split("next slot ")[1].split()[0])


def all_runs(url: str) -> list[runs.RunInfo]:
    engine = open_store(url)
    try:
        return sorted(runs.recent_runs(engine, limit=10_000), key=lambda r: r.id)
    finally:
        engine.dispose()


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def shown(slot: datetime) -> str:
    """A slot as the scheduler's log writes it."""
    return utc(slot).astimezone(TZ).isoformat(timespec="seconds")


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'tracker.db'}"


def write_bulk_readings(actuals: Path, rows: int = 12_000) -> None:
    """A big, valid reading file of the region (the part a run reads and draws): its XLSX
    sheet and chart make a run take a few seconds."""
    lines = ["indicator,date,value,unit,source,area,qualifier,note"]
    for i in range(rows):
        day = date(1960, 1, 1) + timedelta(days=i)
        lines.append(f"rural_income,{day},{1000 + i},USD/person/year,synthetic,,,")
    (actuals / "bulk.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def temp_entries(reports: Path) -> list[str]:
    """Hidden leftovers of the report writer (.<name>.tmp-* / .<name>.old-*)."""
    if not reports.exists():
        return []
    return sorted(p.name for p in reports.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


def run_folders(reports: Path) -> list[Path]:
    if not reports.exists():
        return []
    return sorted(
        p
        for p in reports.iterdir()
        if p.is_dir() and not p.name.startswith(".") and not p.is_symlink()
    )


# ---------------------------------------------------------------------------- cron (fast)


def test_five_field_cron_fires_in_the_programme_timezone() -> None:
    trigger = cron.make_trigger("0 6 1 * *", "Asia/Ho_Chi_Minh")
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert [t.isoformat() for t in cron.next_fire_times(trigger, 3, now)] == [
        "2026-12-01T06:00:00+07:00",
        "2027-01-01T06:00:00+07:00",
        "2027-02-01T06:00:00+07:00",
    ]


def test_six_field_cron_has_seconds_first() -> None:
    trigger = cron.make_trigger("*/20 * * * * *", "UTC")
    now = datetime(2026, 11, 29, 12, 0, 5, tzinfo=UTC)
    assert [t.strftime("%H:%M:%S") for t in cron.next_fire_times(trigger, 4, now)] == [
        "12:00:20",
        "12:00:40",
        "12:01:00",
        "12:01:20",
    ]


@pytest.mark.parametrize(
    ("expr", "problem"),
    [
        ("every day", "2 fields"),
        ("*/x * * * *", 'Unrecognized expression "*/x" for field "minute"'),
        (
            "0 25 * * *",
            "Error validating expression '25': the last value (25) is higher "
            "than the maximum value (23)",
        ),
    ],
)
def test_a_bad_cron_is_a_sentence(expr: str, problem: str) -> None:
    with pytest.raises(BadValue) as e:
        cron.make_trigger(expr, "UTC", "--cron")
    assert str(e.value) == (
        f'--cron "{expr}" is not a cron expression ({problem}); write 5 fields '
        '(minute hour day month weekday, e.g. "0 6 1 * *") or 6 with seconds first '
        '(e.g. "*/10 * * * * *")'
    )


@pytest.mark.parametrize("expr", ["0 6 1 * *", "30 2 * * mon-fri", "*/7 * * * *", "15 */5 * * * *"])
def test_latest_fire_time_matches_walking_the_trigger(expr: str) -> None:
    trigger = cron.make_trigger(expr, "Asia/Ho_Chi_Minh")
    after = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)
    walked = [t for t in cron.next_fire_times(trigger, 4000, after) if t > after]
    for now in (after + timedelta(hours=h, seconds=7 * h) for h in (0, 1, 5, 49, 24 * 12)):
        passed = [t for t in walked if t <= now]
        assert walked[-1] > now  # the walk went past `now`
        expected = passed[-1] if passed else None
        assert cron.latest_fire_time(trigger, after, now) == expected, now


def test_latest_fire_time_after_years_of_downtime_is_only_the_newest() -> None:
    trigger = cron.make_trigger("0 6 1 * *", "Asia/Ho_Chi_Minh")
    got = cron.latest_fire_time(
        trigger, datetime(2019, 12, 31, 23, 0, tzinfo=UTC), datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    )
    assert got is not None and got.isoformat() == "2026-11-01T06:00:00+07:00"
    same = cron.latest_fire_time(trigger, got, datetime(2026, 11, 29, 3, 0, tzinfo=UTC))
    assert same is None  # the newest slot is the one already claimed: nothing was missed


def test_stale_temporary_report_folders_are_removed_fresh_ones_kept(tmp_path: Path) -> None:
    old = tmp_path / ".2026-11-01.tmp-0123456789ab"
    old.mkdir()
    (old / "gap-report.json").write_text("{", encoding="utf-8")
    fresh = tmp_path / ".2026-11-02.tmp-abcdef012345"  # maybe a run in flight elsewhere
    fresh.mkdir()
    report = tmp_path / "2026-11-01"
    report.mkdir()
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    os.utime(report, (two_hours_ago, two_hours_ago))
    assert schedule.clean_stale_temp(tmp_path) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".2026-11-02.tmp-abcdef012345",
        "2026-11-01",
    ]


# ---------------------------------------------------------------------------- CLI (fast)


def test_list_prints_the_next_five_runs_in_the_programme_timezone(workdir: Path) -> None:
    result = CliRunner().invoke(app, ["schedule", "--list"])
    assert result.exit_code == 0, result.output
    now = datetime.now(TZ)
    firsts = []
    year, month = now.year, now.month
    while len(firsts) < 5:
        moment = datetime(year, month, 1, 6, tzinfo=TZ)
        if moment > now:
            firsts.append(moment)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    assert result.output.splitlines() == [
        'next 5 runs of "0 6 1 * *" (Asia/Ho_Chi_Minh):',
        *(f"  {m:%a %Y-%m-%d} 06:00:00+07:00" for m in firsts),
    ]


def test_a_bad_cron_option_exits_2_without_a_traceback(workdir: Path) -> None:
    result = CliRunner().invoke(app, ["schedule", "--cron", "61 * * * *"])
    assert result.exit_code == 2
    assert result.output.startswith('--cron "61 * * * *" is not a cron expression (')
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------- notify (fast)


class _Hook(http.server.BaseHTTPRequestHandler):
    bodies: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        type(self).bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    """A webhook receiver on 127.0.0.1 (never any other address)."""
    bodies: list[dict] = []
    handler = type("Hook", (_Hook,), {"bodies": bodies})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", bodies
    server.shutdown()
    server.server_close()


SUMMARY = {
    "program": "P",
    "job": "schedule",
    "slot": "2026-12-01T06:00:00+07:00",
    "catch_up": True,
    "run_id": 7,
    "outcome": "failed",
    "as_of": "2026-12-01",
    "report_dir": None,
    "counts": {},
    "error": "targets.yaml:3:1: bad\nmore",
    "consecutive_failures": 2,
    "host": "h",
}


def test_notify_runs_the_command_and_posts_the_webhook(
    tmp_path: Path, webhook: tuple[str, list[dict]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url, bodies = webhook
    command = (
        "sh -c 'cat > summary.json; echo \"$TRACKER_RUN_OUTCOME|$TRACKER_RUN_SLOT|"
        "$TRACKER_RUN_CATCH_UP|$TRACKER_RUN_ERROR|$TRACKER_RUN_FAILURES\" > env.txt'"
    )
    notify.send(Notify(command=command, webhook=url), SUMMARY)
    assert json.loads((tmp_path / "summary.json").read_text()) == SUMMARY
    assert (tmp_path / "env.txt").read_text() == (
        "failed|2026-12-01T06:00:00+07:00|true|targets.yaml:3:1: bad|2\n"
    )
    assert bodies == [SUMMARY]


def test_a_failing_hook_is_logged_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import socket

    with socket.socket() as s:  # a port on 127.0.0.1 that nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    hooks = Notify(command="sh -c 'echo nope >&2; exit 3'", webhook=f"http://127.0.0.1:{closed}/")
    with caplog.at_level(logging.WARNING, logger="tracker.schedule.notify"):
        notify.send(hooks, SUMMARY)
        notify.send(Notify(command=str(tmp_path / "no-such-program")), SUMMARY)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "notify command sh exited with 3: nope"
    assert messages[1] == f"notify webhook on 127.0.0.1:{closed} could not be reached: " + (
        "[Errno 111] Connection refused"
    )
    assert messages[2] == (
        "notify command no-such-program could not start: No such file or directory"
    )


def test_a_command_with_broken_quotes_is_refused_at_start() -> None:
    with pytest.raises(BadValue, match="cannot be split into words"):
        notify.check(Notify(command="sh -c 'unclosed"))


# ---------------------------------------------------------------------------- processes (slow)


@pytest.mark.slow
def test_each_slot_runs_once_with_several_schedulers(
    store_url: str, workdir: Path, tmp_path: Path, running: list[Scheduler]
) -> None:
    if store_url.startswith("sqlite"):
        folders = [workdir] * 3  # one machine: three processes, one SQLite file
    else:  # three machines sharing one PostgreSQL, each with its own folder
        folders = [workdir]
        for i in (2, 3):
            shutil.copytree(workdir, tmp_path / f"machine{i}")
            folders.append(tmp_path / f"machine{i}")
    scheds = [start(folder, store_url, "--cron", PER_SECOND) for folder in folders]
    running.extend(scheds)
    wait_until(lambda: all("scheduler started" in s.text() for s in scheds), "3 schedulers")
    # The first slot every process was up for. A starved process may start long after the
    # others have run many slots, so count the runs from there on, not from the first.
    last_start = max(first_slot(s.text()) for s in scheds)
    # However loaded the machine, wait for the runs rather than for a fixed time.
    wait_until(
        lambda: sum(r.outcome == "success" and utc(r.slot) >= last_start  # type: ignore[arg-type]
                    for r in all_runs(store_url)) >= 3,
        "three runs of slots all three schedulers were up for",
        timeout=LOADED,
        every=0.5,
    )
    assert stop_all(scheds) == [0, 0, 0], [s.text() for s in scheds]

    ledger = all_runs(store_url)
    slots = [utc(r.slot) for r in ledger if r.slot is not None]
    assert len(slots) == len(ledger) >= 3
    assert len(set(slots)) == len(slots)
    logs = [s.text() for s in scheds]
    # No tick-by-tick continuity here: on a loaded machine every scheduler can be busy (or
    # starved of CPU, and APScheduler coalesces the ticks it slept through). What must
    # hold is that no slot ran twice, and that each slot run was claimed by exactly one.
    assert {r.outcome for r in ledger} == {"success"}
    assert not any(r.catch_up for r in ledger)
    assert sum(log.count(" claimed (job schedule") for log in logs) == len(slots)
    # Slots every process saw: each was claimed by one; the others logged it as taken, or,
    # on a loaded machine, as due while their previous run was still going.
    shared = [slot for slot in sorted(slots)[:-1] if slot >= last_start]
    assert len(shared) >= 2
    for slot in shared:
        claimed = [f"slot {shown(slot)} claimed" in log for log in logs]
        taken = [
            f"slot {shown(slot)} skipped: already taken by another scheduler" in log
            or f"slot {shown(slot)} skipped here: the previous run is still going" in log
            for log in logs
        ]
        # exactly one claimed it; the others said it was taken or that they were busy, or
        # (starved of CPU on a loaded machine) slept through it and APScheduler coalesced it
        assert claimed.count(True) == 1, (shown(slot), logs)
        assert not any(c and t for c, t in zip(claimed, taken, strict=True)), (shown(slot), logs)
    for log in logs:
        assert "Traceback" not in log


@pytest.mark.slow
def test_a_restart_after_missed_slots_runs_one_catch_up(
    workdir: Path, running: list[Scheduler]
) -> None:
    url = sqlite_url(workdir)
    engine = open_store(url)
    years_ago = datetime(2020, 1, 1, tzinfo=UTC)  # thousands of daily ticks missed since
    seeded = runs.claim_run(engine, job="schedule", slot=years_ago)
    assert seeded is not None
    runs.finish_run(engine, seeded, outcome="success")
    engine.dispose()
    targets = workdir / "targets.yaml"
    shipped = targets.read_text(encoding="utf-8")
    assert "catch_up: latest" in shipped

    # With catch_up: none the missed slot is only logged; stale temp folders are cleared.
    targets.write_text(shipped.replace("catch_up: latest", "catch_up: none"), encoding="utf-8")
    stale = workdir / "reports" / ".2020-01-01.tmp-0123456789ab"
    stale.mkdir(parents=True)
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    s = start(workdir, url, "--cron", DAILY)
    running.append(s)
    wait_until(lambda: "not run" in s.text(), "the missed slot to be logged")
    assert stop_all([s]) == [0]
    assert [r.id for r in all_runs(url)] == [seeded]
    assert not stale.exists()

    # With catch_up: latest, two schedulers start together: one catch-up run, once.
    targets.write_text(shipped, encoding="utf-8")
    scheds = [start(workdir, url, "--cron", DAILY) for _ in range(2)]
    running.extend(scheds)
    wait_until(lambda: any(r.outcome != "running" for r in all_runs(url)[1:]), "the catch-up")
    wait_until(lambda: all("scheduler started" in x.text() for x in scheds), "both started")
    midnight = datetime.combine(datetime.now(TZ).date(), datetime.min.time(), TZ)

    def settled(log: str) -> bool:  # tried the slot, then claimed it or found it taken
        return f"slot {shown(midnight)} was missed while no scheduler ran" not in log or (
            f"slot {shown(midnight)} claimed" in log
            or f"slot {shown(midnight)} skipped: already taken by another scheduler" in log
        )

    # The other process has its go at the same slot: wait for it, however slow it is.
    wait_until(lambda: all(settled(x.text()) for x in scheds), "each try at the slot to end")
    assert stop_all(scheds) == [0, 0]

    ledger = all_runs(url)
    assert len(ledger) == 2, [(r.id, r.slot, r.outcome) for r in ledger]
    run = ledger[1]
    assert (run.outcome, run.catch_up, utc(run.slot)) == ("success", True, midnight)
    assert run.as_of == midnight.date()  # the slot's day in the programme's timezone
    report = json.loads(
        (workdir / "reports" / midnight.date().isoformat() / "gap-report.json").read_text(
            encoding="utf-8"
        )
    )
    assert report["catch_up"] is True
    assert report["as_of"] == midnight.date().isoformat()
    logs = [x.text() for x in scheds]
    # The slower process either saw the slot already claimed (nothing missed) or tried
    # it too and found it taken; only a process that tried it can claim it or lose it. (A
    # process starved of CPU may log its try just after the wait above looked, and be
    # stopped before its try runs: so a try may end in neither.)
    for log in logs:
        tried = f"slot {shown(midnight)} was missed while no scheduler ran" in log
        won = f"slot {shown(midnight)} claimed" in log
        lost = f"slot {shown(midnight)} skipped: already taken by another scheduler" in log
        assert won + lost <= tried, log
    assert sum(f"slot {shown(midnight)} claimed" in log for log in logs) == 1


@pytest.mark.slow
def test_a_failing_run_is_recorded_shown_reported_and_announced(
    workdir: Path, running: list[Scheduler], webhook: tuple[str, list[dict]]
) -> None:
    url = sqlite_url(workdir)
    hook_url, bodies = webhook
    targets = workdir / "targets.yaml"
    command = "sh -c 'echo \"$TRACKER_RUN_OUTCOME $TRACKER_RUN_FAILURES\" >> outcomes.txt'"
    good = targets.read_text(encoding="utf-8") + (
        f"\nnotify:\n  command: {json.dumps(command)}\n  webhook: {json.dumps(hook_url)}\n"
    )
    targets.write_text(good, encoding="utf-8")
    s = start(workdir, url, "--cron", PER_SECOND)
    running.append(s)
    wait_until(lambda: any(r.outcome == "success" for r in all_runs(url)), "a first success")

    broken = workdir / "broken.yaml"  # swapped in whole, as an editor saving the file would
    broken.write_text(good.replace("indicators:", "indicators: [", 1), encoding="utf-8")
    os.replace(broken, targets)
    wait_until(lambda: sum(r.outcome == "failed" for r in all_runs(url)) >= 2, "two failures")
    fixed = workdir / "fixed.yaml"
    fixed.write_text(good, encoding="utf-8")
    os.replace(fixed, targets)
    wait_until(lambda: all_runs(url)[-1].outcome == "success", "a success after the failures")
    assert stop_all([s]) == [0]

    ledger = all_runs(url)
    first_failure = next(i for i, r in enumerate(ledger) if r.outcome == "failed")
    failed = [r for r in ledger if r.outcome == "failed"]
    after = ledger[first_failure:]
    # On a loaded machine the scheduler may start one more run before SIGTERM lands.
    successes = len(after) - len(failed)
    assert successes >= 1
    assert [r.outcome for r in after] == ["failed"] * len(failed) + ["success"] * successes
    for r in failed:
        assert r.error is not None and r.error.startswith("targets.yaml:"), r.error
    log = s.text()
    assert f"ERROR {len(failed)} consecutive failed run(s) since the last success" in log
    assert f"slot {shown(failed[0].slot)} failed after" in log  # type: ignore[arg-type]

    report = json.loads((workdir / "reports" / "latest" / "gap-report.json").read_text("utf-8"))
    if successes == 1:  # a later success replaced the report: it has no failures to list
        assert [datetime.fromisoformat(f["scheduled_for"]) for f in report["failed_runs"]] == [
            utc(r.slot)
            for r in failed  # type: ignore[arg-type]
        ]
        assert all(f["error"].startswith("targets.yaml:") for f in report["failed_runs"])

    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    status = subprocess.run(
        [str(TRACKER), "--database", url, "status"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    last_bad = failed[-1]
    assert f"last success: #{after[-1].id} " in status
    assert f"last failure: #{last_bad.id} " in status
    assert last_bad.error.splitlines()[0] in status  # type: ignore[union-attr]

    outcomes = (workdir / "outcomes.txt").read_text(encoding="utf-8").splitlines()
    assert outcomes[-len(failed) - successes :] == [
        *(f"failed {n}" for n in range(1, len(failed) + 1)),
        *["success 0"] * successes,
    ]
    assert [b["outcome"] for b in bodies][-len(failed) - successes :] == ["failed"] * len(
        failed
    ) + ["success"] * successes
    assert bodies[-1 - successes]["error"].startswith("targets.yaml:")


@pytest.mark.slow
def test_sigterm_mid_run_lets_it_finish_a_whole_report(
    workdir: Path, running: list[Scheduler]
) -> None:
    url = sqlite_url(workdir)
    write_bulk_readings(workdir / "actuals")
    reports = workdir / "reports"
    s = start(workdir, url, "--cron", PER_SECOND)
    running.append(s)
    wait_until(lambda: temp_entries(reports), "the report writer to start")
    s.signal()
    assert s.wait() == 0, s.text()

    assert "SIGTERM: stopping; waiting for the run in flight to finish" in s.text()
    ledger = all_runs(url)
    assert [r.outcome for r in ledger] == ["success"]  # finished, and nothing started after
    [folder] = run_folders(reports)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"gap-report.{f}" for f in FORMATS)
    assert json.loads((folder / "gap-report.json").read_text("utf-8"))["rows"]
    assert temp_entries(reports) == []


@pytest.mark.slow
def test_a_second_sigterm_abandons_the_run_and_leaves_no_report(
    workdir: Path, running: list[Scheduler]
) -> None:
    url = sqlite_url(workdir)
    write_bulk_readings(workdir / "actuals")
    reports = workdir / "reports"
    s = start(workdir, url, "--cron", PER_SECOND)
    running.append(s)
    wait_until(lambda: temp_entries(reports), "the report writer to start")
    s.signal()
    # Two signals sent before a starved process handles the first would reach its handler
    # once (CPython coalesces a pending signal): send the second after the first is seen.
    wait_until(lambda: "SIGTERM: stopping" in s.text(), "the first SIGTERM to be handled")
    s.signal()
    assert s.wait() == 1, s.text()

    ledger = all_runs(url)
    assert [r.outcome for r in ledger] == ["failed"]
    assert "interrupted" in (ledger[0].error or "")
    assert run_folders(reports) == []
    assert temp_entries(reports) == []
    log = s.text()
    assert "SIGTERM again: abandoning the run in flight" in log
    assert f"slot {shown(ledger[0].slot)} abandoned after" in log  # type: ignore[arg-type]
    assert "Traceback" not in log
