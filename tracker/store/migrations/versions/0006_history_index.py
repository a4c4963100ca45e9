"""earlier revisions by indicator and area in an index of their own

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-30 16:10:00

The indicator page and `tracker readings --history` list every revision of an indicator
(in an area). 0004 gave them an index of every reading on (indicator, area, date): a
third index spread over every key, which each file of a national import rewrites nearly
whole (every leaf page of it holds some of the file's readings). Current readings are
already found by (indicator, area, date) through the unique key uq_reading_current_key;
what it misses are the superseded and retracted revisions, a few per correction. This
index holds those only, so an import that adds readings never touches it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

_EARLIER = sa.text("state != 'current'")


def upgrade() -> None:
    op.drop_index("ix_reading_indicator_area", table_name="reading")
    op.create_index(
        "ix_reading_history",
        "reading",
        ["indicator", "area", "period_date"],
        sqlite_where=_EARLIER,
        postgresql_where=_EARLIER,
    )


def downgrade() -> None:
    op.drop_index("ix_reading_history", table_name="reading")
    op.create_index("ix_reading_indicator_area", "reading", ["indicator", "area", "period_date"])
