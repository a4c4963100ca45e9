"""Shared fixtures: real SQLite files, the real PostgreSQL (when TRACKER_TEST_DATABASE_URL is
set), real copies of the shipped targets.yaml and actuals/ in a temporary folder."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")


def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    assert PG_URL
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test on a SQLite file and on PostgreSQL (skipped without a test database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    if not PG_URL:
        pytest.skip("TRACKER_TEST_DATABASE_URL is not set (.ci/run sets it)")
    yield from fresh_postgres_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding copies of the shipped targets.yaml and actuals/, as the cwd."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(ROOT / "targets.yaml", work / "targets.yaml")
    shutil.copytree(ROOT / "actuals", work / "actuals")
    monkeypatch.chdir(work)
    for var in ("TRACKER_TARGETS", "TRACKER_DATABASE_URL", "TRACKER_ACTUALS", "TRACKER_REPORTS"):
        monkeypatch.delenv(var, raising=False)
    return work


@pytest.fixture
def program():
    from tracker.targets import load_program

    return load_program(ROOT / "targets.yaml")
