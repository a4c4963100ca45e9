"""The application object: settings, store, programme and templates, built once per process.

    app = create_app(Settings.from_env())       # a Starlette (ASGI) app
    uvicorn.run(app, host="127.0.0.1", port=8000)

Requests run view -> library -> template: pages.py reads (reports, indicators, runs),
forms.py writes (add, correct, retract readings) through the same library functions as
the command line; guard.py checks who may do what; nothing is kept in the process that
another worker would need (sessions are signed cookies, failed sign-ins live in the store).
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tracker.settings import Settings
from tracker.web.reportview import ReportCache
from tracker.web.session import CSRF_FIELD, Signer
from tracker.web.text import LANGS, ui

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.model import Program
    from tracker.store.users import Account
    from tracker.web.guard import Visit

HERE = Path(__file__).parent


class Web:
    """What every request needs, shared by the threads of one worker process."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        from tracker.store.database import open_store
        from tracker.store.users import session_secret
        from tracker.targets import load_program

        self.settings = settings
        self.engine = engine or open_store(settings.database_url)
        self.signer = Signer(session_secret(self.engine))
        self.reports = ReportCache()
        self._program = load_program(settings.targets)
        self._program_stamp = self._targets_stamp()
        self._lock = threading.Lock()
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def _targets_stamp(self) -> tuple[int, int]:
        st = Path(self.settings.targets).stat()
        return (st.st_mtime_ns, st.st_size)

    @property
    def program(self) -> Program:
        """targets.yaml as of now: an edited file is read again (a broken edit keeps the last
        good one, as the scheduler does, until it is fixed)."""
        from tracker.errors import TrackerError
        from tracker.targets import load_program

        try:
            stamp = self._targets_stamp()
        except OSError:
            return self._program
        if stamp != self._program_stamp:
            with self._lock:
                if stamp != self._program_stamp:
                    with contextlib.suppress(TrackerError):
                        self._program = load_program(self.settings.targets)
                    self._program_stamp = stamp
        return self._program

    @property
    def public_read(self) -> bool:
        return self.program.public_read

    def account(self, name: str) -> Account | None:
        from tracker.store.users import get_user

        return get_user(self.engine, name)

    def render(self, visit: Visit, template: str, status: int = 200, **values: Any) -> Response:
        from tracker.reports import content, i18n
        from tracker.reports.html import STYLESHEET

        lang = visit.lang
        page = self.templates.get_template(template).render(
            # the report's own words and formats, in the page's language
            number=lambda x: i18n.number(x, lang),
            status_name=lambda s: i18n.status_name(lang, s),
            qualifier_symbol=lambda q: i18n.QUALIFIER_SYMBOLS.get(q, q),
            headers=content.column_headers(lang),
            report_css=STYLESHEET,
            v=visit,
            t=visit.t,
            lang=visit.lang,
            other_lang=next(x for x in LANGS if x != visit.lang),
            account=visit.account,
            program=self.program,
            csrf_field=CSRF_FIELD,
            csrf=visit.session.csrf,
            path=visit.request.url.path,
            **values,
        )
        return HTMLResponse(page, status_code=status)

    def error(self, visit: Visit, status: int, message: str) -> Response:
        return self.render(visit, "error.html", status=status, message=message)


def healthz(request: Any) -> Response:
    """Up and able to reach the database; reads no reading (a load balancer calls it often)."""
    from sqlalchemy import text

    web: Web = request.app.state.web
    try:
        with web.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:  # any database failure means "not healthy", said plainly
        return JSONResponse({"status": "error", "database": str(e)[:200]}, status_code=503)
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings, engine: Engine | None = None) -> Starlette:
    """The web application over `settings` (and `engine`, else one from the settings)."""
    from tracker.web import forms, pages

    routes = [
        Route("/healthz", healthz),
        Route("/login", pages.login, methods=["GET", "POST"]),
        Route("/logout", pages.logout, methods=["GET", "POST"]),
        Route("/", pages.home),
        Route("/reports", pages.report_list),
        Route("/reports/{as_of}", pages.report),
        Route("/indicators", pages.indicator_list),
        Route("/indicators/{key}", pages.indicator),
        Route("/runs", pages.runs_page),
        Route("/readings/new", forms.new_reading, methods=["GET", "POST"]),
        Route("/readings/{id:int}/correct", forms.correct, methods=["GET", "POST"]),
        Route("/readings/{id:int}/retract", forms.retract, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _not_found})
    app.state.web = Web(settings, engine)
    return app


async def _not_found(request: Any, exc: Exception) -> Response:
    return HTMLResponse(
        f"<!DOCTYPE html><title>404</title><p>{ui('en', 'not_found')} / "
        f'{ui("vi", "not_found")}</p><p><a href="/">/</a></p>',
        status_code=404,
    )
