"""Alembic environment: migrate the engine ``schema.alembic_config`` put in ``attributes``.

One migrator at a time, so replicas starting together on an empty database do not race: on
SQLite the migration runs inside ``BEGIN IMMEDIATE`` (the write lock), on PostgreSQL under a
transaction-scoped advisory lock. Each reads the current revision only once it holds the lock.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from avatar_service.adapters.store.sqlmodel.engine import WRITE
from avatar_service.adapters.store.sqlmodel.tables import METADATA

MIGRATION_LOCK = 0x61766174  # "avat": the advisory lock key of avatar-service migrations

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, sa.Engine):
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("run migrations through `avatar db ...` (schema.alembic_config)")
    engine = sa.create_engine(url)

with engine.connect() as connection:
    connection.execution_options(**WRITE)
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
        context.run_migrations()
    connection.commit()
