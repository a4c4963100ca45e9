"""Accounts of the web page, failed sign-ins, and the key that signs session cookies.

    >>> add_user(engine, "hanh", "editor", password)     # argon2 hash stored, never the text
    >>> user = check_password(engine, "hanh", password)  # the User, or None
    >>> wait = sign_in_wait(engine, "hanh")              # seconds to wait before trying again

Failed sign-ins are counted in the database, not in the web process, so that several
worker processes behind one reverse proxy slow down the same guesser together.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tracker.errors import BadValue, InputError
from tracker.store.tables import login_throttle, tracker_user, web_secret

U = tracker_user
T = login_throttle
S = web_secret

ROLES = ("viewer", "editor", "admin")
MIN_PASSWORD = 8
MAX_NAME = 100
# Failures allowed before sign-in is slowed down; then each further try waits twice as
# long as the last (1 s, 2 s, 4 s ...) up to MAX_WAIT. A success clears the count.
FREE_FAILURES = 5
MAX_WAIT_SECONDS = 300


class UnknownUser(InputError):
    """An account name that does not exist."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    created_at: datetime
    password_changed_at: datetime

    @property
    def can_write(self) -> bool:
        return self.role in ("editor", "admin")

    @property
    def session_stamp(self) -> str:
        """Changes when the password does: a new password ends the sessions of the old one."""
        return _utc(self.password_changed_at).isoformat()


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _hasher() -> Any:
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    return PasswordHash((Argon2Hasher(),))


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or any(c.isspace() for c in name):
        raise BadValue(
            f'the account name "{name}" must be 1 to {MAX_NAME} characters without spaces'
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise BadValue(f'--role must be one of {", ".join(ROLES)}, not "{role}"')
    return role


def check_new_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise BadValue(f"the password must have at least {MIN_PASSWORD} characters")
    return password


def _account(r: Any) -> Account:
    return Account(r.name, r.role, r.created_at, r.password_changed_at)


def add_user(engine: Engine, name: str, role: str, password: str) -> Account:
    """Create an account; BadValue if the name is taken or the password too short."""
    name, role = _check_name(name), check_role(role)
    digest = _hasher().hash(check_new_password(password))
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(U).values(
                    name=name,
                    role=role,
                    password_hash=digest,
                    created_at=now,
                    password_changed_at=now,
                )
            )
    except IntegrityError:
        raise BadValue(
            f'there is already an account "{name}"; `tracker user passwd {name}` changes its '
            "password"
        ) from None
    return Account(name, role, now, now)


def list_users(engine: Engine) -> list[Account]:
    with engine.connect() as conn:
        return [_account(r) for r in conn.execute(select(U).order_by(U.c.name))]


def get_user(engine: Engine, name: str) -> Account | None:
    with engine.connect() as conn:
        r = conn.execute(select(U).where(U.c.name == name)).first()
    return _account(r) if r else None


def _unknown(name: str) -> UnknownUser:
    return UnknownUser(f'there is no account "{name}"; `tracker user list` shows the accounts')


def remove_user(engine: Engine, name: str) -> None:
    with engine.begin() as conn:
        if conn.execute(delete(U).where(U.c.name == name)).rowcount == 0:
            raise _unknown(name)


def set_password(engine: Engine, name: str, password: str) -> None:
    """New password; every session signed in with the old one ends (its stamp changes)."""
    digest = _hasher().hash(check_new_password(password))
    with engine.begin() as conn:
        done = conn.execute(
            update(U)
            .where(U.c.name == name)
            .values(password_hash=digest, password_changed_at=datetime.now(UTC))
        )
        if done.rowcount == 0:
            raise _unknown(name)


def check_password(engine: Engine, name: str, password: str) -> Account | None:
    """The account when `password` is its password; None otherwise (unknown name too)."""
    with engine.connect() as conn:
        r = conn.execute(select(U).where(U.c.name == name)).first()
    hasher = _hasher()
    if r is None:
        # Hash anyway so that an unknown name takes as long as a wrong password.
        hasher.hash(password)
        return None
    return _account(r) if hasher.verify(password, r.password_hash) else None


# ---------------------------------------------------------------------- sign-in throttle


def _throttle_key(name: str) -> str:
    return name.strip().lower()[:200]


def wait_after(failures: int) -> float:
    """Seconds to wait after `failures` failed sign-ins in a row: 0, then 1, 2, 4 ... 300."""
    if failures < FREE_FAILURES:
        return 0.0
    return float(min(2 ** (failures - FREE_FAILURES), MAX_WAIT_SECONDS))


def sign_in_wait(engine: Engine, name: str, now: datetime | None = None) -> float:
    """Seconds before `name` may try again (0: now). Read from the database."""
    with engine.connect() as conn:
        r = conn.execute(select(T).where(T.c.name == _throttle_key(name))).first()
    if r is None:
        return 0.0
    now = now or datetime.now(UTC)
    elapsed = (now - _utc(r.last_failure_at)).total_seconds()
    return max(0.0, wait_after(r.failures) - elapsed)


def record_failure(engine: Engine, name: str) -> int:
    """Count one more failed sign-in for `name`; returns the count."""
    key, now = _throttle_key(name), datetime.now(UTC)
    for _ in range(2):  # a concurrent first failure may insert the row between our two steps
        with engine.begin() as conn:
            done = conn.execute(
                update(T)
                .where(T.c.name == key)
                .values(failures=T.c.failures + 1, last_failure_at=now)
                .returning(T.c.failures)
            ).scalar()
            if done is not None:
                return int(done)
        try:
            with engine.begin() as conn:
                conn.execute(insert(T).values(name=key, failures=1, last_failure_at=now))
            return 1
        except IntegrityError:
            continue
    return FREE_FAILURES


def clear_failures(engine: Engine, name: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(T).where(T.c.name == _throttle_key(name)))


# ---------------------------------------------------------------------- signing key


def session_secret(engine: Engine) -> str:
    """The cookie-signing key, made at the first start and then read by every worker."""
    with engine.connect() as conn:
        value = conn.execute(select(S.c.value).where(S.c.name == "session")).scalar()
    if value:
        return str(value)
    try:
        with engine.begin() as conn:
            conn.execute(insert(S).values(name="session", value=secrets.token_urlsafe(48)))
    except IntegrityError:
        pass  # another worker made it first: use theirs
    with engine.connect() as conn:
        return str(conn.execute(select(S.c.value).where(S.c.name == "session")).scalar_one())
