"""Tables. Readings are bitemporal: `period_date` is the day a reading describes;
`recorded_at` / `ended_at` bound the time the store believed it (transaction time).

A correction inserts a new row (`revision_of` = the row it replaces) and closes the
old one (`ended_at`, state "superseded"); a retraction only closes it (state
"retracted"). Values are never overwritten, so "as known at T" is simply
`recorded_at <= T < coalesce(ended_at, +inf)`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class Reading(SQLModel, table=True):
    __tablename__ = "reading"
    __table_args__ = (
        # At most one current reading per (indicator, area, date), whoever recorded it:
        # the database enforces it, so two concurrent writers cannot both succeed.
        Index(
            "uq_reading_current_key",
            "indicator",
            "area",
            "period_date",
            unique=True,
            sqlite_where=text("state = 'current'"),
            postgresql_where=text("state = 'current'"),
        ),
        # What `tracker run` reads (queries.readings_frame, lean): every column of the
        # assessment is in the index, so the read is a range of one area's index entries,
        # whatever order the rows were inserted in (no table row is fetched at random),
        # and a national store's commune rows cost a region's run nothing.
        # PostgreSQL keeps the non-key columns as INCLUDE payload; SQLite needs `state`
        # in the index to know it covers `state = 'current'` (see migration 0005).
        Index(
            "ix_reading_assess",
            "area",
            "indicator",
            "period_date",
            "value",
            "unit",
            "qualifier",
            "state",
            sqlite_where=text("state = 'current'"),
            postgresql_where=text("state = 'current'"),
        ).ddl_if(dialect="sqlite"),
        Index(
            "ix_reading_assess",
            "area",
            "indicator",
            "period_date",
            postgresql_include=["value", "unit", "qualifier", "id"],
            postgresql_where=text("state = 'current'"),
        ).ddl_if(dialect="postgresql"),
        Index("ix_reading_file_key", "source_file", "state"),
        Index("ix_reading_known", "recorded_at", "ended_at"),
        # every revision of one indicator in one area (the web page's indicator page)
        Index("ix_reading_indicator_area", "indicator", "area", "period_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator: str = Field(max_length=200)
    area: str = Field(max_length=200)
    period_date: date
    value: float  # milestone: 1.0 yes / 0.0 no
    unit: str = Field(max_length=100)  # as written
    qualifier: str | None = Field(default=None, max_length=20)
    source: str
    note: str | None = None
    recorded_at: datetime  # UTC, naive
    recorded_by: str = Field(max_length=200)
    revision_of: int | None = Field(default=None, foreign_key="reading.id")
    state: str = Field(default="current", max_length=12)  # current | superseded | retracted
    ended_at: datetime | None = None
    end_reason: str | None = None
    source_file: str | None = Field(default=None, max_length=500)  # set for file imports
    source_line: int | None = None
    # The user confirmed a reading the 10x-jump rule held (--confirm, `confirmed` = yes).
    confirmed: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})


class ImportedFile(SQLModel, table=True):
    """What was last synced from each reading file, to skip unchanged files cheaply."""

    __tablename__ = "imported_file"

    path: str = Field(primary_key=True, max_length=500)
    size: int = Field(sa_type=BigInteger)
    mtime_ns: int = Field(sa_type=BigInteger)  # nanoseconds since 1970: beyond 32 bits
    sha256: str = Field(max_length=64)
    rows: int
    imported_at: datetime


class Run(SQLModel, table=True):
    """One assessment run. Scheduled runs claim (job, slot) first: the unique key makes a
    slot run once however many schedulers share the store. Manual runs have slot NULL."""

    __tablename__ = "run"
    __table_args__ = (UniqueConstraint("job", "slot", name="uq_run_job_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=100)  # "manual" or the scheduler job name
    slot: datetime | None = None  # scheduled fire time (UTC, naive)
    catch_up: bool = False
    host: str = Field(default="", max_length=200)
    started_at: datetime
    finished_at: datetime | None = None
    as_of: date | None = None
    known_at: datetime | None = None
    targets_sha256: str = Field(default="", max_length=64)
    outcome: str = Field(default="running", max_length=12)  # running | success | failed
    error: str | None = None
    report_dir: str | None = None
    summary: str | None = None  # JSON: counts per status


class RunRow(SQLModel, table=True):
    """A target's assessment in one run: what `history` and "changes since" read."""

    __tablename__ = "run_row"
    __table_args__ = (Index("ix_run_row_target", "target", "run_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    target: str = Field(max_length=200)
    indicator: str = Field(max_length=200)
    deadline: date | None = None
    status: str = Field(max_length=30)
    stale: bool = False
    gap: float | None = None
    latest_value: float | None = None
    latest_date: date | None = None
    latest_reading_id: int | None = None


class User(SQLModel, table=True):
    """An account of the web page (`tracker user add`). Only an argon2 hash is kept."""

    __tablename__ = "tracker_user"  # "user" is a reserved word in PostgreSQL

    name: str = Field(primary_key=True, max_length=100)
    role: str = Field(max_length=10)  # viewer | editor | admin
    password_hash: str = Field(max_length=300)
    created_at: datetime
    password_changed_at: datetime


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per account name, in the database so every worker process sees them."""

    __tablename__ = "login_throttle"

    name: str = Field(primary_key=True, max_length=200)
    failures: int = 0
    last_failure_at: datetime


class WebSecret(SQLModel, table=True):
    """The key that signs session cookies: made once, shared by every worker on the store."""

    __tablename__ = "web_secret"

    name: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=200)
