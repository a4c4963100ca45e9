"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 23:39:39.920356
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "imported_file",
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("path"),
    )
    op.create_table(
        "reading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("period_date", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("qualifier", sa.String(length=20), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("revision_of", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(), nullable=True),
        sa.Column("source_file", sa.String(length=500), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["revision_of"],
            ["reading.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reading", schema=None) as batch_op:
        batch_op.create_index(
            "uq_reading_current_key",
            ["indicator", "area", "period_date"],
            unique=True,
            sqlite_where=sa.text("state = 'current'"),
            postgresql_where=sa.text("state = 'current'"),
        )
        batch_op.create_index("ix_reading_file_key", ["source_file", "state"], unique=False)
        batch_op.create_index("ix_reading_known", ["recorded_at", "ended_at"], unique=False)

    op.create_table(
        "run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=100), nullable=False),
        sa.Column("slot", sa.DateTime(timezone=True), nullable=True),
        sa.Column("catch_up", sa.Boolean(), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("known_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("targets_sha256", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("report_dir", sa.String(), nullable=True),
        sa.Column("summary", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job", "slot", name="uq_run_job_slot"),
    )
    op.create_table(
        "run_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("indicator", sa.String(length=200), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("latest_value", sa.Float(), nullable=True),
        sa.Column("latest_date", sa.Date(), nullable=True),
        sa.Column("latest_reading_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["run.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("run_row", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_row_run_id"), ["run_id"], unique=False)
        batch_op.create_index("ix_run_row_target", ["target", "run_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("run_row", schema=None) as batch_op:
        batch_op.drop_index("ix_run_row_target")
        batch_op.drop_index(batch_op.f("ix_run_row_run_id"))

    op.drop_table("run_row")
    op.drop_table("run")
    with op.batch_alter_table("reading", schema=None) as batch_op:
        batch_op.drop_index("ix_reading_known")
        batch_op.drop_index("ix_reading_file_key")
        batch_op.drop_index("uq_reading_current_key")

    op.drop_table("reading")
    op.drop_table("imported_file")
