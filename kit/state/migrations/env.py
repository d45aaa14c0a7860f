"""Alembic's environment: migrations run on the connection :func:`kit.state.database.upgrade`
hands over, never on a URL of their own (so one transaction holds a stamp and an upgrade)."""

from __future__ import annotations

from alembic import context

from kit.state.database import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table=VERSION_TABLE, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
