"""The attempt log, as kit.progress.attempts.AttemptStore has always created it.

A database made before migrations existed holds exactly this table; it is stamped at this
revision and upgraded from here.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``attempts``."""
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("course", sa.String(128), nullable=False, default=""),
        sa.Column("learner", sa.String(256), nullable=False, index=True),
        sa.Column("skill", sa.String(128), nullable=False, index=True),
        sa.Column("item", sa.String(256), nullable=False),
        sa.Column("correct", sa.Float, nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    """Drop ``attempts``."""
    op.drop_table("attempts")
