"""The pages that read: sign-in, the latest and past reports, indicators, runs."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from starlette.responses import RedirectResponse, Response

from tracker.web.guard import Visit, page

MAX_READINGS_SHOWN = 500


def _safe_next(target: str | None) -> str:
    # Only a path on this site: "//evil.example" or "https://..." would leave it.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@page(public=True)
def login(v: Visit) -> Response:
    from tracker.store import users

    web = v.web
    nxt = _safe_next(v.request.query_params.get("next") or (v.form or {}).get("next"))
    if v.form is None:
        return web.render(v, "login.html", next=nxt, error=None, username="")
    name = v.form.get("username", "").strip()
    password = v.form.get("password", "")
    wait = users.sign_in_wait(web.engine, name)
    if wait > 0:
        error = v.t("throttled", seconds=math.ceil(wait))
        return web.render(v, "login.html", 429, next=nxt, error=error, username=name)
    account = users.check_password(web.engine, name, password)
    if account is None:
        users.record_failure(web.engine, name)
        return web.render(v, "login.html", 401, next=nxt, error=v.t("bad_login"), username=name)
    users.clear_failures(web.engine, name)
    # A fresh session (and csrf token) at sign-in: a token planted before cannot be reused.
    from tracker.web.session import Session

    v.session = Session(user=account.name, stamp=account.session_stamp, changed=True)
    return RedirectResponse(nxt, 303)


@page(public=True)
def logout(v: Visit) -> Response:
    from tracker.web.session import Session

    v.session = Session(changed=True)
    return RedirectResponse("/login", 303)


def _report_page(v: Visit, folder: Any, title: str) -> Response:
    web = v.web
    try:
        shown = web.reports.render(folder, web.program, web.engine, v.lang)
    except (OSError, ValueError, KeyError) as e:
        return web.error(v, 500, v.t("report_unreadable", folder=str(folder), why=e))
    return web.render(v, "report.html", report=shown, title=title)


@page()
def home(v: Visit) -> Response:
    from tracker.web.reportview import latest_folder

    folder = latest_folder(v.web.settings.reports)
    if folder is None:
        return v.web.render(v, "report.html", report=None, title=v.t("nav_latest"))
    return _report_page(v, folder, v.t("nav_latest"))


@page()
def report_list(v: Visit) -> Response:
    from tracker.web.reportview import past_reports

    return v.web.render(v, "reports.html", days=past_reports(v.web.settings.reports))


@page()
def report(v: Visit) -> Response:
    from tracker.web.reportview import folder_for

    as_of = v.request.path_params["as_of"]
    folder = folder_for(v.web.settings.reports, as_of)
    if folder is None:
        return v.web.error(v, 404, v.t("not_found"))
    return _report_page(v, folder, v.t("report_of", day=as_of))


@page()
def indicator_list(v: Visit) -> Response:
    return v.web.render(v, "indicators.html")


@page()
def indicator(v: Visit) -> Response:
    from tracker.web import indicatorview

    web = v.web
    key = v.request.path_params["key"]
    program = web.program
    if key not in program.indicators:
        return web.error(v, 404, v.t("not_found"))
    area = (v.request.query_params.get("area") or "").strip() or program.region
    view = indicatorview.build(web, key, area, v.lang, MAX_READINGS_SHOWN)
    done = _done_text(v, v.request.query_params.get("done") or "")
    from tracker.reports.html import chart_key

    return web.render(
        v,
        "indicator.html",
        ind=program.indicators[key],
        key=key,
        view=view,
        done=done,
        chart_key=chart_key(v.lang),
    )


def _done_text(v: Visit, done: str) -> str | None:
    """ "recorded:12" -> "Reading 12 recorded." Only ids are read, so no typed text is echoed."""
    kind, *ids = done.split(":")
    if not ids or not all(i.isdigit() for i in ids):
        return None
    if kind == "recorded" and len(ids) == 1:
        return v.t("done_recorded", id=ids[0])
    if kind == "corrected" and len(ids) == 2:
        return v.t("done_corrected", old=ids[0], new=ids[1])
    if kind == "retracted" and len(ids) == 1:
        return v.t("done_retracted", id=ids[0])
    return None


@page()
def runs_page(v: Visit) -> Response:
    from tracker.status import next_slot_after
    from tracker.store import runs

    web = v.web
    program = web.program
    recent = runs.recent_runs(web.engine, 50)
    failed = runs.failures_since_last_success(web.engine)
    try:
        nxt = next_slot_after(program, datetime.now(UTC))
    except Exception:  # a schedule the scheduler itself would refuse: say so, do not fail
        nxt = None
    when = None
    if nxt is not None:
        from zoneinfo import ZoneInfo

        when = nxt.astimezone(ZoneInfo(program.timezone)).strftime("%Y-%m-%d %H:%M")
    from tracker.status import status_text

    status, healthy = status_text(web.engine, program)  # the words of `tracker status`
    return web.render(
        v,
        "runs.html",
        runs=recent,
        failed=failed,
        next_run=when,
        status_words=status,
        healthy=healthy,
    )
