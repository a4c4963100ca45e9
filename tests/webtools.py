"""Shared by the web tests: a served programme (the shipped targets and readings, one live
run, three accounts) and a signed-in client. Real SQLite files / PostgreSQL, real reports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tracker.settings import Settings

PASSWORDS = {"hanh": "editor-pass-1", "xem": "viewer-pass-1", "quan": "admin-pass-1"}
ROLES = {"hanh": "editor", "xem": "viewer", "quan": "admin"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    settings: Settings
    engine: object
    folder: Path


def make_site(folder: Path, url: str, *, run: bool = True) -> Site:
    """The shipped programme in `folder` (already holding targets.yaml and actuals/)."""
    from tracker.job import RunRequest, run_job
    from tracker.store.database import open_store
    from tracker.store.users import add_user

    settings = Settings(
        targets=folder / "targets.yaml",
        actuals=folder / "actuals",
        reports=folder / "reports",
        database_url=url,
    )
    engine = open_store(url)
    if run:
        run_job(settings, RunRequest(), engine=engine)
    for name, role in ROLES.items():
        add_user(engine, name, role, PASSWORDS[name])
    return Site(settings, engine, folder)


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "the page has no csrf_token field"
    return m.group(1)


def sign_in(client, name: str, password: str | None = None):
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": name,
            "password": PASSWORDS[name] if password is None else password,
            "csrf_token": csrf_of(page.text),
            "next": "/",
        },
        follow_redirects=False,
    )
