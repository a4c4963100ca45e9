"""What the indicator page shows: its goals as the latest report assessed them, the history
chart drawn by the report's own chart code, and every reading of one area with its
revisions (newest first), who recorded each and when, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

if TYPE_CHECKING:
    from tracker.web.app import Web

AREAS_LISTED = 1000


@dataclass
class IndicatorView:
    goals: str = ""  # the report's own goal table, each chart under its row (HTML)
    readings: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    area: str = ""
    areas: list[str] = field(default_factory=list)
    report_as_of: str | None = None


def _goal_rows(web: Web, key: str) -> tuple[list[dict[str, Any]], str | None]:
    from tracker.web.reportview import latest_folder, report_rows

    folder = latest_folder(web.settings.reports)
    if folder is None:
        return [], None
    as_of, rows = report_rows(folder)
    return [r for r in rows if r["indicator"] == key], as_of


def build(web: Web, key: str, area: str, lang: str, limit: int) -> IndicatorView:
    from tracker.reports.html import goal_table
    from tracker.store.queries import BY_STATE, every_revision, readings_frame
    from tracker.store.tables import reading
    from tracker.web.reportview import program_context

    program = web.program
    view = IndicatorView(area=area)
    rows, view.report_as_of = _goal_rows(web, key)
    if rows:
        # The chart's readings: only this indicator's (and a share's two counts), current.
        wanted = {key, *(program.indicators[key].ratio_of or ())}
        frame = readings_frame(
            web.engine, program, area=program.region, indicators=wanted, details=False
        )
        ctx = program_context(
            program,
            lang,
            as_of=date.fromisoformat(view.report_as_of or "1970-01-01"),
            generated_at=datetime.now(UTC),
        )
        view.goals = goal_table(rows, frame, ctx)
    R = reading
    with web.engine.connect() as conn:
        mine = [R.c.indicator == key, R.c.area == area]
        view.total = sum(
            conn.execute(select(func.count()).select_from(R).where(state, *mine)).scalar_one()
            for state in BY_STATE
        )
        newest = every_revision(conn, mine, ("period_date", "id"), newest_first=True, limit=limit)
        view.readings = [dict(r._mapping) for r in newest]
        areas = conn.execute(
            select(R.c.area)
            .where(R.c.indicator == key, R.c.state == "current")
            .distinct()
            .order_by(R.c.area)
            .limit(AREAS_LISTED)
        ).scalars()
        view.areas = sorted({program.region, area, *areas})
    return view
