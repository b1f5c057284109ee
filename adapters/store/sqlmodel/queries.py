"""Statements and row lookups the store's transactions share."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from avatar_service.adapters.store.sqlmodel.tables import TABLES
from avatar_service.core.errors import NotFound

AVATARS, SESSIONS = TABLES["avatars"], TABLES["sessions"]


def sortable(column: sa.ColumnElement[str], postgres: bool) -> sa.ColumnElement[str]:
    """Ids sort byte-wise on every database (PostgreSQL's locale collation would not)."""
    return column.collate("C") if postgres else column


def ordered(query: sa.Select[Any], table: sa.Table, id_name: str, postgres: bool) -> Any:
    return query.order_by(table.c.created_at, sortable(table.c[id_name], postgres))


_BY_ID: dict[tuple[str, str], sa.Select[Any]] = {}


def by_id(table: sa.Table, id_name: str) -> sa.Select[Any]:
    """``SELECT * FROM table WHERE id_name = :item_id``, built once (it is the hot path)."""
    key = (table.name, id_name)
    statement = _BY_ID.get(key)
    if statement is None:
        statement = _BY_ID[key] = sa.select(table).where(
            table.c[id_name] == sa.bindparam("item_id")
        )
    return statement


def by_tenant_id(table: sa.Table, id_name: str) -> sa.Select[Any]:
    """``by_id`` within one tenant: ``... AND tenant = :tenant``."""
    return by_id(table, id_name).where(table.c.tenant == sa.bindparam("tenant"))


def one(
    conn: sa.Connection,
    table: sa.Table,
    id_name: str,
    item_id: str,
    kind: str,
    tenant: str | None = None,
) -> Any:
    """The row of ``item_id`` (in ``tenant``, when given), else ``NotFound``."""
    if tenant is None:
        statement, params = by_id(table, id_name), {"item_id": item_id}
    else:
        statement, params = by_tenant_id(table, id_name), {"item_id": item_id, "tenant": tenant}
    row = conn.execute(statement, params).mappings().first()
    if row is None:
        raise NotFound(f"no {kind} {item_id!r}", field=id_name)
    return row


def live_session(conn: sa.Connection, tenant: str, session_id: str) -> sa.RowMapping:
    row = (
        conn.execute(
            sa.select(SESSIONS).where(
                SESSIONS.c.tenant == tenant,
                SESSIONS.c.session_id == session_id,
                SESSIONS.c.deleted_at.is_(None),
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no session {session_id!r}", field="session_id")
    return row


def check_owners(
    conn: sa.Connection, tenant: str, avatar_id: str | None, session_id: str | None
) -> None:
    if avatar_id is not None:
        one(conn, AVATARS, "avatar_id", avatar_id, "avatar", tenant)
    if session_id is not None:
        live_session(conn, tenant, session_id)


def owner_filters(
    table: sa.Table, avatar_id: str | None, session_id: str | None
) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if avatar_id is not None:
        where.append(table.c.avatar_id == avatar_id)
    if session_id is not None:
        where.append(table.c.session_id == session_id)
    return where


def is_unique_violation(exc: sa.exc.IntegrityError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return bool(sqlstate == "23505")
    return "UNIQUE" in str(exc.orig)
