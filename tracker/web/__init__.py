"""`tracker serve`: the web page where officers read gap reports and record readings.

    app.py         the application: settings, store, programme, templates; create_app()
    guard.py       every page's checks: session, language, sign-in, role, CSRF
    session.py     signed HttpOnly SameSite session cookie and its CSRF token
    pages.py       reading pages: sign-in, latest and past reports, indicators, runs
    forms.py       writing pages: add, correct, retract a reading (editors and admins)
    reportview.py  a written report shown in the reader's language by tracker.reports
    indicatorview.py  an indicator's goals, history chart and readings with revisions
    text.py        the page frame's own words (menus, labels) in English and Vietnamese
    templates/     Jinja2, autoescaped: every value a person typed is escaped on output
    static/        the one stylesheet; no script, no CDN: it works offline on a LAN

Nothing here decides what a reading may be or what a report says: the library does
(tracker.api, tracker.store, tracker.reports), so the page and the command line agree.
"""

from __future__ import annotations

from tracker.web.app import create_app

__all__ = ["create_app"]
