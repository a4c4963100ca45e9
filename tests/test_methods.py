"""The published methods side by side (tracker.methods, docs/methods.md): one worked
example per method computed by hand, goals without a number, method choice, fragility.

Spans are whole years: 2020-01-01 -> 2024-01-01 is 1461 days = 4.0 years,
-> 2028-01-01 is 2922 days = 8.0 years (days / 365.25).
"""

from __future__ import annotations

from datetime import date

import pytest
from test_assess import frame, ind, prog, r

from tracker.assess import assess
from tracker.reports.i18n import note_text

BASE, LATEST, DEADLINE = "2020-01-01", "2024-01-01", date(2028, 1, 1)
AS_OF = date(2024, 6, 30)


def row(program, readings, as_of=AS_OF):
    gaps = assess(program, readings, as_of)
    assert len(gaps) == 1
    return gaps.iloc[0]


def income(target: float, latest: float, **kw):
    """Income 100 (2020-01-01) -> `latest` (2024-01-01); at least `target` by 2028-01-01."""
    program = prog(ind("income", ("income", DEADLINE, "at_least", target)), **kw)
    return program, frame(r("income", BASE, 100.0), r("income", LATEST, latest))


# --- one worked example per method ----------------------------------------------------


def test_statcan_worked_example_compound_growth_is_on_track():
    # CAGR_i = (146.41/100)^(1/4) - 1 = 1.1 - 1 = 0.10          (1.1^4 = 1.4641)
    # CAGR_T = (200/100)^(1/8) - 1 = 1.0905077 - 1 = 0.0905077
    # R = d * CAGR_i / |CAGR_T| = 0.10 / 0.0905077 = 1.104878 >= 0.95 -> on_track
    program, readings = income(200.0, 146.41, compare=True)
    g = row(program, readings)
    assert g["observed_rate"] == pytest.approx(0.10)
    assert g["required_rate"] == pytest.approx(0.0905077, rel=1e-6)
    assert g["ratio"] == pytest.approx(1.104878, rel=1e-6)
    assert g["status"] == "on_track"
    assert g["status_by_method"]["statcan"] == "on_track"


def test_linear_worked_example_same_goal_needs_acceleration_so_it_is_fragile():
    # The same goal judged at a linear pace (SDSN):
    # observed = (146.41 - 100) / 4 = 11.6025 a year; required = (200 - 100) / 8 = 12.5
    # ratio = 11.6025 / 12.5 = 0.9282: 0.5 <= 0.9282 < 1 -> needs_acceleration
    # UNSD: projected = 146.41 * 1.1^4 = 214.358881; (214.358881-100)/(200-100) = 1.1436
    # >= 0.95 -> on_track. Two methods say on track, one does not: fragile.
    program, readings = income(200.0, 146.41, compare=True, method="linear")
    g = row(program, readings)
    assert g["ratio"] == pytest.approx(0.9282)
    assert g["status"] == "needs_acceleration"
    assert g["status_by_method"] == {
        "statcan": "on_track",
        "unsd": "on_track",
        "linear": "needs_acceleration",
    }
    assert bool(g["fragile"]) is True


def test_unsd_worked_example_projection_share_is_fair_progress():
    # Income 100 -> 110 in 4 years, at least 300 by 2028-01-01.
    # UNSD: CAGR = 1.1^(1/4) - 1 = 0.024114; projected = 110 * (1.024114)^4 = 110 * 1.1 = 121
    #   share = (121 - 100) / (300 - 100) = 21 / 200 = 0.105: 0.10 <= 0.105 < 0.95
    #   -> fair progress (needs_acceleration)
    # statcan: CAGR_T = 3^(1/8) - 1 = 0.147202; R = 0.024114 / 0.147202 = 0.163816 -> limited
    # linear: (10 / 4) / (200 / 8) = 2.5 / 25 = 0.1 -> limited_progress
    program, readings = income(300.0, 110.0, compare=True, method="unsd")
    g = row(program, readings)
    assert g["projected_value"] == pytest.approx(121.0)
    assert g["ratio"] == pytest.approx(0.105)
    assert g["status"] == "needs_acceleration"
    assert g["status_by_method"] == {
        "statcan": "limited_progress",
        "unsd": "needs_acceleration",
        "linear": "limited_progress",
    }
    assert bool(g["fragile"]) is True


@pytest.mark.parametrize(
    ("latest", "share", "status"),
    [
        # projected = latest + slope * 4 with slope = (latest - 50) / 4, target <= 10:
        # 49: projected 48, share (48-50)/(10-50) = 0.05 < 0.10, change -1 (good way) -> limited
        (49.0, 0.05, "limited_progress"),
        # 51: projected 52, share (52-50)/(10-50) = -0.05 < 0.10, change +1 (wrong way)
        (51.0, -0.05, "deteriorating"),
    ],
)
def test_unsd_below_a_tenth_the_sign_of_the_change_decides(latest, share, status):
    program = prog(
        ind("poor", ("poor", DEADLINE, "at_most", 10.0), direction="decrease", trend="linear"),
        method="unsd",
    )
    g = row(program, frame(r("poor", BASE, 50.0), r("poor", LATEST, latest)))
    assert g["ratio"] == pytest.approx(share)
    assert g["status"] == status


def test_methods_agree_and_no_compare_means_no_comparison():
    # 100 -> 146.41 (CAGR 0.10), at least 250 by 2028-01-01:
    # statcan: R = 0.10 / (2.5^(1/8) - 1 = 0.121353) = 0.824042 -> needs_acceleration
    # unsd: (214.358881 - 100) / 150 = 0.762393 -> needs_acceleration
    # linear: 11.6025 / (150 / 8 = 18.75) = 0.6188 -> needs_acceleration
    program, readings = income(250.0, 146.41, compare=True)
    g = row(program, readings)
    assert set(g["status_by_method"].values()) == {"needs_acceleration"}
    assert bool(g["fragile"]) is False
    plain = row(*income(250.0, 146.41))
    assert plain["status_by_method"] is None and bool(plain["fragile"]) is False


def test_shared_statuses_are_the_same_for_every_method():
    # Met (150 >= 120), past the deadline, or one point: no method has a say.
    program, readings = income(120.0, 150.0, compare=True)
    assert row(program, readings)["status_by_method"] == dict.fromkeys(
        ("statcan", "unsd", "linear"), "achieved"
    )
    late = row(
        program, frame(r("income", BASE, 100.0), r("income", LATEST, 110.0)), date(2029, 1, 1)
    )
    assert set(late["status_by_method"].values()) == {"missed"}
    assert not late["fragile"]


# --- goals without a number -----------------------------------------------------------


def improving(limit_factor: float = 1.0, **kw):
    program = prog(
        ind(
            "water",
            ("water@2030", date(2030, 12, 31), "improve", float("nan")),
            unit="percent",
            limit_factor=limit_factor,
        ),
        compare=True,
        **kw,
    )
    # 200 -> 208.120802 in 4 years: CAGR = (1.04060401)^(1/4) - 1 = 1.01 - 1 = 0.01
    return program, frame(r("water", BASE, 200.0), r("water", LATEST, 208.120802))


def test_improve_open_sdg_methodology_1_thresholds_scale_with_limit_factor():
    # C = 1: 0.005 <= 0.01 < 0.015 -> needs_acceleration (statcan); UNSD: 0.005 <= 0.01 < 0.02
    # -> needs_acceleration; linear (SDSN) has no rule without a target value.
    g = row(*improving())
    assert g["observed_rate"] == pytest.approx(0.01)
    assert g["status"] == "needs_acceleration"
    assert g["status_by_method"] == {
        "statcan": "needs_acceleration",
        "unsd": "needs_acceleration",
        "linear": None,
    }
    assert not g["fragile"]  # a method with no rule does not count as disagreeing
    assert g["target"] == "water@2030"
    for field in ("target_value", "gap", "required_rate", "needed_rate", "ratio"):
        assert g[field] != g[field], field  # NaN -> null in JSON
    # C = 0.5: thresholds 0.015 * 0.5 = 0.0075 and 0.005 * 0.5 = 0.0025; 0.01 >= 0.0075
    # -> on_track for statcan; UNSD's 2% / 0.5% are not scaled: still needs_acceleration.
    g = row(*improving(0.5))
    assert g["status"] == "on_track"
    assert g["status_by_method"]["unsd"] == "needs_acceleration"
    assert bool(g["fragile"]) is True


def test_improve_linear_trend_reads_the_slope_as_a_share_of_the_base():
    # Poor households 1000 -> 900 in 4 years, lower is better, trend linear:
    # slope = -100 / 4 = -25 a year = -0.025 of the base a year; d = -1: +0.025
    # statcan: 0.025 >= 0.015 -> on_track; unsd: 0.025 >= 0.02 -> on_track
    program = prog(
        ind(
            "poor",
            ("poor@2030", date(2030, 12, 31), "improve", float("nan")),
            direction="decrease",
            trend="linear",
        ),
        compare=True,
    )
    g = row(program, frame(r("poor", BASE, 1000.0), r("poor", LATEST, 900.0)))
    assert g["observed_rate"] == pytest.approx(-25.0)
    assert g["status_by_method"] == {"statcan": "on_track", "unsd": "on_track", "linear": None}


def test_improve_is_never_achieved_nor_missed_and_one_point_is_insufficient():
    program, readings = improving()
    # Past 2030: judged on the readings up to the deadline, not "missed".
    assert row(program, readings, date(2031, 6, 30))["status"] == "needs_acceleration"
    one = row(program, frame(r("water", BASE, 200.0)))
    assert one["status"] == "insufficient_data"


def test_improve_under_the_linear_method_falls_back_to_statcan_and_says_so():
    g = row(*improving(method="linear"))
    assert g["status"] == "needs_acceleration"
    assert "method linear has no rule for a goal without a number; judged by statcan" in g["note"]
    assert "phương pháp linear không có quy tắc cho mục tiêu không có con số" in note_text(
        g["note"], "vi"
    )
