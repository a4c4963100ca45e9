"""Who is asking: the signed session cookie, its CSRF token, and the language cookie.

The session cookie holds `{"u": account or None, "s": password stamp, "c": csrf token}`,
signed with the store's key (store.users.session_secret) so every worker process accepts
it; it is HttpOnly (no script reads it), SameSite=Lax (another site's form post does not
carry it) and Secure when the page is served over HTTPS. Every form carries the csrf
token as a hidden field; a POST whose token does not match the cookie's is refused, so a
page elsewhere cannot make a signed-in officer's browser record a reading.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "tracker_session"
LANG_COOKIE = "tracker_lang"
SESSION_MAX_AGE = 12 * 3600  # a working day; then sign in again
LANG_MAX_AGE = 365 * 24 * 3600
CSRF_FIELD = "csrf_token"


@dataclass
class Session:
    user: str | None = None
    stamp: str = ""
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    changed: bool = False  # the cookie must be (re)sent

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf, str(token))


class Signer:
    def __init__(self, secret: str) -> None:
        self._s = URLSafeTimedSerializer(secret, salt="tracker-session")

    def load(self, cookie: str | None) -> Session:
        if cookie:
            try:
                data: Any = self._s.loads(cookie, max_age=SESSION_MAX_AGE)
                return Session(user=data.get("u"), stamp=data.get("s", ""), csrf=data["c"])
            except (BadSignature, KeyError, TypeError, AttributeError):
                pass  # forged, expired or from another key: start afresh
        return Session(changed=True)

    def dump(self, session: Session) -> str:
        return self._s.dumps({"u": session.user, "s": session.stamp, "c": session.csrf})


def cookie_options(secure: bool) -> dict[str, Any]:
    return {"httponly": True, "samesite": "lax", "secure": secure, "path": "/"}
