"""The tables of a course's database, beside the attempt log's ``attempts`` table.

One SQLAlchemy ``MetaData`` names them; the migrations in :mod:`kit.state.migrations` create
and change them (the tables here are what the newest migration leaves), so a database made by
any earlier version of the kit is upgraded in place.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

questions = sa.Table(
    "questions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("course", sa.String(128), nullable=False, index=True),
    sa.Column("learner", sa.String(256), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    sa.Column("route", sa.JSON, nullable=True),
    sa.Column("unrouted", sa.Text, nullable=False, default=""),
    sa.Column("skill", sa.String(128), nullable=True),
    sa.Column("mentor", sa.String(128), nullable=True, index=True),
    sa.Column("urgency", sa.Float, nullable=True),
    sa.Column("urgent", sa.Boolean, nullable=True),
    sa.Column("resolved_by", sa.Integer, nullable=True),
    sa.Column("server_share", sa.Text, nullable=True),
)
"""A learner's question: its route (the router's answer, as JSON) and the mentor assigned;
the earlier question whose answer resolved it (``resolved_by``, no mentor involved), and a
link to the asker's server shared with the mentor (``server_share``)."""

answers = sa.Table(
    "answers",
    metadata,
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
"""An answer to a question, or the asker's follow-up."""

profiles = sa.Table(
    "learner_profiles",
    metadata,
    sa.Column("course", sa.String(128), primary_key=True),
    sa.Column("learner", sa.String(256), primary_key=True),
    sa.Column("profile", sa.JSON, nullable=False),
    sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
)
"""A learner's profile (kit.paths.profile.LearnerProfile as JSON) in one course."""

grading_jobs = sa.Table(
    "grading_jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("course", sa.String(128), nullable=False),
    sa.Column("project", sa.String(128), nullable=False, index=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("done", sa.Integer, nullable=False, default=0),
    sa.Column("total", sa.Integer, nullable=True),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("started", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished", sa.DateTime(timezone=True), nullable=True),
)
"""A run of the grader on one project, started from the API."""

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("course", sa.String(128), primary_key=True),
    sa.Column("user", sa.String(256), primary_key=True),
    sa.Column("key", sa.String(256), primary_key=True),
    sa.Column("request", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("body", sa.Text, nullable=True),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
)
"""A POST sent with an ``Idempotency-Key``: who sent it, a digest of the request, and the answer
it got (``status`` None while it is being answered)."""

faq = sa.Table(
    "faq",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("course", sa.String(128), nullable=False, index=True),
    sa.Column("question_id", sa.Integer, nullable=True, index=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("skill", sa.String(128), nullable=True),
    sa.Column("author", sa.String(256), nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
)
"""An answer a mentor shared with the course: the question and answer as shown in the FAQ."""

labelled_examples = sa.Table(
    "labelled_examples",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("course", sa.String(128), nullable=False, index=True),
    sa.Column("question_id", sa.Integer, nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("skill", sa.String(128), nullable=True),
    sa.Column("urgent", sa.Boolean, nullable=True),
    sa.Column("author", sa.String(256), nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
)
"""A mentor's correction of a question's skill or urgency: training data for the router."""

notifications_seen = sa.Table(
    "notifications_seen",
    metadata,
    sa.Column("course", sa.String(128), primary_key=True),
    sa.Column("user", sa.String(256), primary_key=True),
    sa.Column("notification", sa.String(64), primary_key=True),
    sa.Column("seen", sa.DateTime(timezone=True), nullable=False),
)
"""The notifications a user has seen (notifications themselves are computed from questions)."""
