"""Schedules (cron expressions): the ones plainly valid are known without APScheduler."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.cron import make_trigger, plainly_valid

# Mostly in range (small numbers, stars), so that many expressions are plainly valid;
# some beyond a field's range, reversed ranges, steps of 0 or too long, names and junk.
_N = st.one_of(st.integers(1, 6), st.integers(0, 70))
_ITEM = st.one_of(
    st.just("*"),
    st.integers(1, 6).map(str),
    st.builds(lambda s: f"*/{s}", _N),
    _N.map(str),
    st.builds(lambda a, b: f"{a}-{b}", _N, _N),
    st.builds(lambda a, b, s: f"{a}-{b}/{s}", _N, _N, _N),
    st.builds(lambda a, s: f"{a}/{s}", _N, _N),
    st.sampled_from(["mon-fri", "last", "", "x", "07"]),
)
_FIELD = st.one_of(_ITEM, st.lists(_ITEM, min_size=2, max_size=3).map(",".join))
_EXPR = st.one_of(
    st.lists(_FIELD, min_size=5, max_size=6), st.lists(_FIELD, min_size=4, max_size=7)
).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(_EXPR)
def test_a_schedule_plainly_valid_is_one_the_scheduler_accepts(expr):
    """plainly_valid spares `tracker run` importing APScheduler; it may say False for a
    good schedule (make_trigger then decides), never True for one make_trigger refuses."""
    if plainly_valid(expr):
        make_trigger(expr, "UTC")  # raises BadValue if the scheduler would refuse it


def test_the_usual_schedules_are_plainly_valid_and_a_wrong_one_is_not():
    assert plainly_valid("0 6 1 * *") and plainly_valid("*/10 * * * * *")
    assert plainly_valid("0 6 1 1,4,7,10 *") and plainly_valid("30 7 * * 0-4")
    assert not plainly_valid("61 * * * *") and not plainly_valid("0 6 1 * mon-fri")
    assert not plainly_valid("0 6 * *") and not plainly_valid("*/0 * * * *")
