"""One wrapper for every page: session, language, sign-in, role and CSRF checks.

    @page()                 # any signed-in account (or anyone, with web: public_read)
    @page(write=True)       # editors and admins; viewers get 403
    @page(public=True)      # /login: no account needed

A POST is refused (403) unless its csrf_token matches the session's. The handler gets a
`Visit` (who, which language, the csrf token) and returns a Response; the wrapper sends
the session and language cookies when they changed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tracker.web.session import (
    CSRF_FIELD,
    LANG_COOKIE,
    LANG_MAX_AGE,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    Session,
    cookie_options,
)
from tracker.web.text import LANGS, ui

if TYPE_CHECKING:
    from tracker.store.users import Account
    from tracker.web.app import Web


@dataclass
class Visit:
    request: Request
    web: Web
    session: Session
    account: Account | None
    lang: str
    lang_changed: bool = False
    form: dict[str, str] | None = None

    @property
    def can_write(self) -> bool:
        return self.account is not None and self.account.can_write

    def t(self, key: str, **values: object) -> str:
        return ui(self.lang, key, **values)


Handler = Callable[[Visit], Response]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def finish(visit: Visit, response: Response) -> Response:
    secure = _secure(visit.request)
    if visit.session.changed:
        response.set_cookie(
            SESSION_COOKIE,
            visit.web.signer.dump(visit.session),
            max_age=SESSION_MAX_AGE,
            **cookie_options(secure),
        )
    if visit.lang_changed:
        response.set_cookie(LANG_COOKIE, visit.lang, max_age=LANG_MAX_AGE, **cookie_options(secure))
    # Pages show what a signed-in officer may see: never from a shared cache.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "script-src 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    return response


def visit_of(request: Request, web: Web) -> Visit:
    session = web.signer.load(request.cookies.get(SESSION_COOKIE))
    account = None
    if session.user:
        account = web.account(session.user)
        if account is None or account.session_stamp != session.stamp:
            # removed, or the password changed since: the old sessions end
            account = None
            session = Session(changed=True)
    asked = request.query_params.get("lang")
    lang_changed = asked in LANGS
    lang = asked if asked in LANGS else request.cookies.get(LANG_COOKIE)
    if lang not in LANGS:
        lang = web.program.lang
    return Visit(request, web, session, account, str(lang), lang_changed=lang_changed)


def page(*, write: bool = False, public: bool = False) -> Callable[[Handler], Any]:
    def wrap(handler: Handler) -> Any:
        def flow(request: Request, form: dict[str, str] | None) -> Response:
            web: Web = request.app.state.web
            visit = visit_of(request, web)
            visit.form = form
            if form is not None and not visit.session.csrf_ok(form.get(CSRF_FIELD)):
                return finish(visit, web.error(visit, 403, visit.t("csrf")))
            if not public and visit.account is None and not (web.public_read and not write):
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return finish(visit, RedirectResponse(f"/login?next={quote(target, safe='')}", 303))
            if write and not visit.can_write:
                role = visit.account.role if visit.account else "-"
                return finish(visit, web.error(visit, 403, visit.t("forbidden", role=role)))
            return finish(visit, handler(visit))

        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            form = None
            if request.method == "POST":
                data = await request.form()
                form = {k: v for k, v in data.items() if isinstance(v, str)}
            # The store and the renderer block: run them off the event loop.
            return await run_in_threadpool(flow, request, form)

        return endpoint

    return wrap
