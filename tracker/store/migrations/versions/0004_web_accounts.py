"""web accounts: users, failed sign-ins, the session-signing key; readings by indicator and area

Revision ID: 0004
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracker_user",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "login_throttle",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "web_secret",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )

    # The indicator page lists one indicator's readings of one area, every revision: the
    # partial unique index covers current readings only.
    op.create_index("ix_reading_indicator_area", "reading", ["indicator", "area", "period_date"])


def downgrade() -> None:
    op.drop_index("ix_reading_indicator_area", table_name="reading")
    op.drop_table("web_secret")
    op.drop_table("login_throttle")
    op.drop_table("tracker_user")
