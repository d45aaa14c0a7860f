"""The mentor loop: a question resolved by an earlier answer, a link to the asker's server, the
course's FAQ, mentors' corrections (labelled examples for the router) and seen notifications.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``questions.resolved_by`` and ``questions.server_share``; create ``faq``,
    ``labelled_examples`` and ``notifications_seen``."""
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("resolved_by", sa.Integer, nullable=True))
        batch.add_column(sa.Column("server_share", sa.Text, nullable=True))
    op.create_table(
        "faq",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("course", sa.String(128), nullable=False, index=True),
        sa.Column("question_id", sa.Integer, nullable=True, index=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("skill", sa.String(128), nullable=True),
        sa.Column("author", sa.String(256), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "labelled_examples",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("course", sa.String(128), nullable=False, index=True),
        sa.Column("question_id", sa.Integer, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("skill", sa.String(128), nullable=True),
        sa.Column("urgent", sa.Boolean, nullable=True),
        sa.Column("author", sa.String(256), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "notifications_seen",
        sa.Column("course", sa.String(128), primary_key=True),
        sa.Column("user", sa.String(256), primary_key=True),
        sa.Column("notification", sa.String(64), primary_key=True),
        sa.Column("seen", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the three tables and the two columns."""
    for table in ("notifications_seen", "labelled_examples", "faq"):
        op.drop_table(table)
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("server_share")
        batch.drop_column("resolved_by")
