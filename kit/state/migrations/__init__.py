"""Alembic migrations of a course's database (run by :func:`kit.state.database.upgrade`)."""
