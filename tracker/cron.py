"""Cron expressions as tracker reads them, and the fire times they give.

    >>> trigger = make_trigger("0 6 1 * *", "Asia/Ho_Chi_Minh")
    >>> next_fire_times(trigger, 2, now)
    [datetime(2026, 12, 1, 6, 0, tzinfo=...), datetime(2027, 1, 1, 6, 0, tzinfo=...)]

5 fields are a crontab (minute hour day month weekday); 6 fields put seconds first (for
tests and demos). Used by targets.py (validation), schedule.py and status.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from tracker.errors import BadValue


def make_trigger(cron: str, timezone: str, what: str = "the schedule") -> CronTrigger:
    """A trigger for a 5-field crontab (minute hour day month weekday) or 6 fields, seconds
    first ("*/5 * * * * *": every 5 seconds, for tests and demos). BadValue if unreadable."""
    fields = cron.split()
    tz = ZoneInfo(timezone)
    try:
        if len(fields) == 5:
            return CronTrigger.from_crontab(cron, timezone=tz)
        if len(fields) == 6:
            second, minute, hour, day, month, weekday = fields
            return CronTrigger(
                second=second,
                minute=minute,
                hour=hour,
                day=day,
                month=month,
                day_of_week=weekday,
                timezone=tz,
            )
        problem = f"{len(fields)} field{'s' if len(fields) != 1 else ''}"
    except ValueError as e:
        problem = str(e)
    prefix = f"{what} " if what else ""
    raise BadValue(
        f'{prefix}"{cron}" is not a cron expression ({problem}); write 5 fields '
        '(minute hour day month weekday, e.g. "0 6 1 * *") or 6 with seconds first '
        '(e.g. "*/10 * * * * *")'
    )


def next_fire_times(trigger: CronTrigger, count: int, now: datetime) -> list[datetime]:
    """The next `count` fire times after `now`, in the trigger's timezone."""
    out: list[datetime] = []
    previous: datetime | None = None
    while len(out) < count:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None:
            break
        out.append(fire)
        previous = now = fire
    return out


def latest_fire_time(trigger: CronTrigger, after: datetime, now: datetime) -> datetime | None:
    """The newest fire time in (after, now], or None: a binary search over whole seconds
    (fire times are whole seconds), so a long downtime costs ~30 trigger look-ups."""

    def first_from(moment: datetime) -> datetime | None:
        return trigger.get_next_fire_time(None, moment.astimezone(trigger.timezone))

    second = timedelta(seconds=1)
    lo = after.astimezone(UTC).replace(microsecond=0) + second
    hi = now.astimezone(UTC).replace(microsecond=0) + second  # first_from(hi) > now
    fire = first_from(lo)
    if fire is None or fire > now:
        return None
    # Invariant: first_from(lo) <= now < first_from(hi).
    while hi - lo > second:
        mid = lo + timedelta(seconds=(hi - lo).total_seconds() // 2)
        found = first_from(mid)
        if found is not None and found <= now:
            lo = mid
        else:
            hi = mid
    return first_from(lo)
