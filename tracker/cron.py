"""Cron expressions as tracker reads them, and the fire times they give.

    >>> trigger = make_trigger("0 6 1 * *", "Asia/Ho_Chi_Minh")
    >>> next_fire_times(trigger, 2, now)
    [datetime(2026, 12, 1, 6, 0, tzinfo=...), datetime(2027, 1, 1, 6, 0, tzinfo=...)]

5 fields are a crontab (minute hour day month weekday); 6 fields put seconds first (for
tests and demos). Used by targets.py (validation), schedule.py and status.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tracker.errors import BadValue

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

# (lowest, highest) of each field: 5 fields (crontab), or 6 with seconds first. Weekdays
# are APScheduler 3's numbers (0 = Monday); the README asks for names (mon-fri).
_RANGES = {
    5: ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6)),
    6: ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 6)),
}
_ITEM = re.compile(r"(?:(\*)|(\d+)(?:-(\d+))?)(?:/(\d+))?")


def plainly_valid(cron: str) -> bool:
    """True when every field is stars, numbers, ranges and steps, comma-separated, inside
    the field's range: what `make_trigger` surely accepts, known without importing
    APScheduler (a tenth of a second that every command validating targets.yaml paid).
    False means only "ask make_trigger": names (mon-fri), "last" and mistakes go there,
    so every refusal is make_trigger's, in its words."""
    fields = cron.split()
    ranges = _RANGES.get(len(fields))
    if ranges is None:
        return False
    for text, (lo, hi) in zip(fields, ranges, strict=True):
        for item in text.split(","):
            m = _ITEM.fullmatch(item)
            if m is None:
                return False
            star, first, last, step = m.groups()
            if star:
                a, b = lo, hi
            else:
                a = int(first)
                b = int(last) if last is not None else (hi if step else a)
            if not lo <= a <= b <= hi:
                return False
            if step is not None and not 1 <= int(step) <= b - a:
                return False
    return True


def make_trigger(cron: str, timezone: str, what: str = "the schedule") -> CronTrigger:
    """A trigger for a 5-field crontab (minute hour day month weekday) or 6 fields, seconds
    first ("*/5 * * * * *": every 5 seconds, for tests and demos). BadValue if unreadable."""
    from apscheduler.triggers.cron import CronTrigger

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
