"""The SQL ``Store``: SQLModel tables on SQLite (default) or PostgreSQL, Alembic migrations.

``store.SqlModelStore`` is the adapter; ``factory.open_store`` opens it as the service does;
``schema`` checks and moves the database schema.
"""

import logging

# Alembic logs its plugin set-up at import and every migration context at INFO; the callers
# (start-up, `avatar db`) report what changed themselves. Set before any alembic import.
for _name in ("alembic.runtime.migration", "alembic.runtime.plugins"):
    logging.getLogger(_name).setLevel(logging.WARNING)
