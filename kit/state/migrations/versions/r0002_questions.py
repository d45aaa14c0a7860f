"""Questions and their answers, learner profiles and grading jobs (the server API's state).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``questions``, ``answers``, ``learner_profiles`` and ``grading_jobs``."""
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("course", sa.String(128), nullable=False, index=True),
        sa.Column("learner", sa.String(256), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("route", sa.JSON, nullable=True),
        sa.Column("unrouted", sa.Text, nullable=False),
        sa.Column("skill", sa.String(128), nullable=True),
        sa.Column("mentor", sa.String(128), nullable=True, index=True),
        sa.Column("urgency", sa.Float, nullable=True),
        sa.Column("urgent", sa.Boolean, nullable=True),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "question",
            sa.Integer,
            sa.ForeignKey("questions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("author", sa.String(256), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "learner_profiles",
        sa.Column("course", sa.String(128), primary_key=True),
        sa.Column("learner", sa.String(256), primary_key=True),
        sa.Column("profile", sa.JSON, nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "grading_jobs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("course", sa.String(128), nullable=False),
        sa.Column("project", sa.String(128), nullable=False, index=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    """Drop the four tables."""
    for table in ("grading_jobs", "learner_profiles", "answers", "questions"):
        op.drop_table(table)
