"""Open the SQL store the way the service starts: engine, schema check, ready to use."""

from __future__ import annotations

import sqlalchemy as sa

from avatar_service.adapters.store.sqlmodel import schema
from avatar_service.adapters.store.sqlmodel.store import SqlModelStore
from avatar_service.core.errors import Unavailable


def open_store(url: str, *, pool_size: int = 10, upgrade_allowed: bool = True) -> SqlModelStore:
    """A store on ``url`` whose schema is at head: upgraded first when ``upgrade_allowed``
    (development), else ``Unavailable`` naming ``avatar db upgrade`` (production). An
    unreachable database is ``Unavailable`` too."""
    store = SqlModelStore.from_url(url, pool_size=pool_size)
    try:
        schema.prepare(store.engine, upgrade_allowed=upgrade_allowed)
    except sa.exc.OperationalError as exc:
        store.close()
        where = store.engine.url.render_as_string(hide_password=True)
        raise Unavailable(
            f"cannot open the database {where}: {exc.orig or exc}; check DATABASE_URL"
        ) from None
    except BaseException:
        store.close()
        raise
    return store
