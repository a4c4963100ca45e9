"""Tables, in SQLAlchemy Core. Readings are bitemporal: `period_date` is the day a reading
describes; `recorded_at` / `ended_at` bound the time the store believed it (transaction
time).

A correction inserts a new row (`revision_of` = the row it replaces) and closes the
old one (`ended_at`, state "superseded"); a retraction only closes it (state
"retracted"). Values are never overwritten, so "as known at T" is simply
`recorded_at <= T < coalesce(ended_at, +inf)`.

Every query of tracker is Core (`select(reading.c.value)`), so the tables are declared
here as Core tables: the ORM and pydantic that SQLModel classes bring cost every command
a quarter of a second to import and served no query (benchmarks/README.md).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    text,
    types,
)
from sqlalchemy.engine import Dialect

metadata = MetaData()


class UTCDateTime(types.TypeDecorator[datetime]):
    """A moment: written as UTC (an aware datetime is required), read back aware in UTC.

    SQLite keeps no offset, so what it stores is UTC without one; PostgreSQL keeps
    `timestamptz`. (The same type the store had when it was declared with SQLModel, so
    stored values and migrations are unchanged.)"""

    impl = types.DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def __repr__(self) -> str:
        return "UTCDateTime()"

    def coerce_compared_value(self, op: Any, value: Any) -> types.TypeEngine[Any]:
        if isinstance(value, timedelta):
            return types.Interval()
        return self

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("a moment must carry its offset (use datetime.now(UTC))")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:  # SQLite: stored as UTC without an offset
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


reading = Table(
    "reading",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("indicator", String(200), nullable=False),
    Column("area", String(200), nullable=False),
    Column("period_date", Date, nullable=False),
    Column("value", Float, nullable=False),  # milestone: 1.0 yes / 0.0 no
    Column("unit", String(100), nullable=False),  # as written
    Column("qualifier", String(20)),
    Column("source", String(), nullable=False),
    Column("note", String()),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("revision_of", Integer, ForeignKey("reading.id")),
    # current | superseded | retracted
    Column("state", String(12), nullable=False, default="current"),
    Column("ended_at", UTCDateTime()),
    Column("end_reason", String()),
    Column("source_file", String(500)),  # set for file imports
    Column("source_line", Integer),
    # The user confirmed a reading the 10x-jump rule held (--confirm, `confirmed` = yes).
    Column("confirmed", Boolean, nullable=False, default=False, server_default=text("false")),
)  # its indexes: declare_indexes()


# What was last synced from each reading file, to skip unchanged files cheaply.
imported_file = Table(
    "imported_file",
    metadata,
    Column("path", String(500), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),  # nanoseconds since 1970: beyond 32 bits
    Column("sha256", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("imported_at", UTCDateTime(), nullable=False),
)

# One assessment run. Scheduled runs claim (job, slot) first: the unique key makes a slot
# run once however many schedulers share the store. Manual runs have slot NULL.
run = Table(
    "run",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("job", String(100), nullable=False),  # "manual" or the scheduler job name
    Column("slot", UTCDateTime()),  # scheduled fire time
    Column("catch_up", Boolean, nullable=False, default=False),
    Column("host", String(200), nullable=False, default=""),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
    Column("as_of", Date),
    Column("known_at", UTCDateTime()),
    Column("targets_sha256", String(64), nullable=False, default=""),
    Column("outcome", String(12), nullable=False, default="running"),  # running | success | failed
    Column("error", String()),
    Column("report_dir", String()),
    Column("summary", String()),  # JSON: counts per status
    UniqueConstraint("job", "slot", name="uq_run_job_slot"),
)

# A target's assessment in one run: what `history` and "changes since" read.
run_row = Table(
    "run_row",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("run.id"), nullable=False, index=True),
    Column("target", String(200), nullable=False),
    Column("indicator", String(200), nullable=False),
    Column("deadline", Date),
    Column("status", String(30), nullable=False),
    Column("stale", Boolean, nullable=False, default=False),
    Column("gap", Float),
    Column("latest_value", Float),
    Column("latest_date", Date),
    Column("latest_reading_id", Integer),
    Index("ix_run_row_target", "target", "run_id"),
)

# An account of the web page (`tracker user add`). Only an argon2 hash is kept.
tracker_user = Table(
    "tracker_user",  # "user" is a reserved word in PostgreSQL
    metadata,
    Column("name", String(100), primary_key=True),
    Column("role", String(10), nullable=False),  # viewer | editor | admin
    Column("password_hash", String(300), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("password_changed_at", UTCDateTime(), nullable=False),
)

# Failed sign-ins per account name, in the database so every worker process sees them.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_failure_at", UTCDateTime(), nullable=False),
)

# The key that signs session cookies: made once, shared by every worker on the store.
web_secret = Table(
    "web_secret",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", String(200), nullable=False),
)


def declare_indexes() -> None:
    """Add the reading table's indexes to `metadata` (once).

    Indexes are DDL: the migrations create them, and no query names one. They are declared
    here for Alembic's comparisons of the tables with the migrations (migrations/env.py and
    the schema tests), not at import: their PostgreSQL options load SQLAlchemy's
    PostgreSQL dialect, a fifth of a second that a command on a SQLite store never needs.
    """
    if reading.indexes:
        return
    current = text("state = 'current'")

    def index(name: str, *columns: str, **kw: Any) -> Index:
        return Index(name, *(reading.c[c] for c in columns), **kw)  # bound to `reading`

    # At most one current reading per (indicator, area, date), whoever recorded it:
    # the database enforces it, so two concurrent writers cannot both succeed.
    index(
        "uq_reading_current_key",
        "indicator",
        "area",
        "period_date",
        unique=True,
        sqlite_where=current,
        postgresql_where=current,
    )
    # What `tracker run` reads (queries.readings_frame, lean): every column of the
    # assessment is in the index, so the read is a range of one area's index entries,
    # whatever order the rows were inserted in (no table row is fetched at random),
    # and a national store's commune rows cost a region's run nothing.
    # PostgreSQL keeps the non-key columns as INCLUDE payload; SQLite needs `state`
    # in the index to know it covers `state = 'current'` (see migration 0005).
    assess = ("area", "indicator", "period_date")
    index(
        "ix_reading_assess",
        *assess,
        "value",
        "unit",
        "qualifier",
        "state",
        sqlite_where=current,
        postgresql_where=current,
    ).ddl_if(dialect="sqlite")
    index(
        "ix_reading_assess",
        *assess,
        postgresql_include=["value", "unit", "qualifier", "id"],
        postgresql_where=current,
    ).ddl_if(dialect="postgresql")
    index("ix_reading_file_key", "source_file", "state")
    index("ix_reading_known", "recorded_at", "ended_at")
    # The earlier revisions (superseded, retracted) of an indicator in an area: with the
    # unique key's current ones, every revision (the indicator page, readings --history).
    # A few per correction: an import that only adds readings never touches it.
    earlier = text("state != 'current'")
    index(
        "ix_reading_history",
        "indicator",
        "area",
        "period_date",
        sqlite_where=earlier,
        postgresql_where=earlier,
    )
