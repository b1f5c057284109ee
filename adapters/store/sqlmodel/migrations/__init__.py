"""Alembic migrations of the SQL store (run through ``schema``, not an alembic.ini)."""
