"""Row-level statements the SQL store's methods share: fetch by id, insert with a clear
``Conflict``, versioned update, delete, take (delete and return), and cursor pages; each in
the store view's tenant."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

from avatar_service.adapters.store.sqlmodel.prepared import PreparedQuery
from avatar_service.adapters.store.sqlmodel.queries import (
    is_unique_violation,
    one,
    ordered,
    sortable,
)
from avatar_service.core.errors import Conflict, NotFound, stale_version
from avatar_service.core.paging import check_store_limit, decode_cursor, encode_cursor
from avatar_service.core.records import Page, utcnow
from avatar_service.core.tenancy import TenantScope, one_tenant

R = TypeVar("R")
PER_TENANT_IDS = frozenset({"avatar", "session", "preset"})
"""Kinds whose ids are unique per tenant (the others' ids are unique overall)."""


class SqlRows:
    """Mixed into ``SqlModelStore``, which provides the connections, the tenant and the
    prepared reads."""

    if TYPE_CHECKING:
        _tenant: TenantScope
        _postgres: bool
        _get: dict[str, PreparedQuery]
        _get_any: dict[str, PreparedQuery]

        def _read(self) -> contextlib.AbstractContextManager[sa.Connection]: ...
        def _write(self) -> contextlib.AbstractContextManager[sa.Connection]: ...

    def _in_tenant(self, table: sa.Table) -> list[sa.ColumnElement[bool]]:
        """The condition that keeps this view's rows of ``table`` (none across tenants)."""
        return [] if self._tenant is None else [table.c.tenant == self._tenant]

    def _fetch(self, kind: str, item_id: str, build: Callable[[dict[str, Any]], R]) -> R:
        if self._tenant is None and kind not in PER_TENANT_IDS:
            found = self._get_any[kind].first_as(build, item_id=item_id)
        else:
            tenant = one_tenant(self._tenant, f"reading a {kind}")
            found = self._get[kind].first_as(build, item_id=item_id, tenant=tenant)
        if found is None:
            raise NotFound(f"no {kind} {item_id!r}", field=f"{kind}_id")
        return found

    def _delete_one(self, table: sa.Table, id_name: str, item_id: str, kind: str) -> None:
        if kind in PER_TENANT_IDS:
            one_tenant(self._tenant, f"deleting a {kind}")
        condition = [table.c[id_name] == item_id, *self._in_tenant(table)]
        with self._write() as conn:
            deleted = conn.execute(sa.delete(table).where(*condition))
            if deleted.rowcount == 0:
                raise NotFound(f"no {kind} {item_id!r}", field=id_name)

    def _insert(self, table: sa.Table, values: dict[str, Any], kind: str, item_id: str) -> None:
        with self._write() as conn:
            self._insert_in(conn, table, values, kind, item_id)

    def _insert_in(
        self,
        conn: sa.Connection,
        table: sa.Table,
        values: dict[str, Any],
        kind: str,
        item_id: str,
        owners: Callable[[], object] | None = None,
    ) -> None:
        """Insert in a savepoint-free way: existence first (clear ``Conflict``), then owners
        (``NotFound``), then the row; a race that still trips a constraint is classified."""
        id_column = table.c[f"{kind}_id"]
        taken = [id_column == item_id]
        if kind in PER_TENANT_IDS:
            taken.append(table.c.tenant == values["tenant"])
        if conn.execute(sa.select(id_column).where(*taken)).first() is not None:
            raise Conflict(f"{kind} {item_id!r} already exists", field=f"{kind}_id")
        if owners is not None:
            owners()
        try:
            conn.execute(sa.insert(table).values(**values))
        except sa.exc.IntegrityError as exc:
            if is_unique_violation(exc):
                raise Conflict(f"{kind} {item_id!r} already exists", field=f"{kind}_id") from None
            raise NotFound(f"the avatar or session of {kind} {item_id!r} is gone") from None

    def _bump(
        self,
        table: sa.Table,
        id_name: str,
        item_id: str,
        kind: str,
        changes: dict[str, Any],
        expected_version: int | None,
    ) -> sa.RowMapping:
        """Apply ``changes`` and add 1 to the version in one conditional UPDATE."""
        tenant = one_tenant(self._tenant, f"changing a {kind}")
        id_column, version = table.c[id_name], table.c.version
        condition = sa.and_(table.c.tenant == tenant, id_column == item_id)
        if expected_version is not None:
            condition = sa.and_(condition, version == expected_version)
        statement = (
            sa.update(table)
            .where(condition)
            .values(**changes, version=version + 1, updated_at=utcnow())
            .returning(*table.c)
        )
        with self._write() as conn:
            row = conn.execute(statement).mappings().first()
            if row is not None:
                return row
            current = one(conn, table, id_name, item_id, kind, tenant)
        assert expected_version is not None  # without one, only a missing row fails (NotFound)
        raise stale_version(kind, item_id, current["version"], expected_version)

    def _take(
        self,
        conn: sa.Connection,
        table: sa.Table,
        id_name: str,
        to_record: Callable[[sa.RowMapping], R],
        where: sa.ColumnElement[bool],
    ) -> tuple[R, ...]:
        """Delete and return (oldest first) the rows of ``table`` matching ``where``."""
        query = ordered(sa.select(table).where(where), table, id_name, self._postgres)
        records = tuple(to_record(row) for row in conn.execute(query).mappings())
        if records:
            conn.execute(sa.delete(table).where(where))
        return records

    def _page(
        self,
        table: sa.Table,
        id_name: str,
        to_record: Callable[[sa.RowMapping], R],
        where: list[sa.ColumnElement[bool]],
        limit: int,
        cursor: str | None,
    ) -> Page[R]:
        check_store_limit(limit)
        conditions = list(where)
        id_column = sortable(table.c[id_name], self._postgres)
        if cursor is not None:
            moment, after_id = decode_cursor(cursor)
            created = table.c.created_at
            conditions.append(
                sa.or_(created > moment, sa.and_(created == moment, id_column > after_id))
            )
        query = ordered(sa.select(table).where(*conditions), table, id_name, self._postgres)
        with self._read() as conn:
            rows = conn.execute(query.limit(limit + 1)).mappings().all()
        items = [to_record(row) for row in rows[:limit]]
        more = len(rows) > limit
        last = rows[limit - 1] if more else None
        next_cursor = encode_cursor((last["created_at"], last[id_name])) if last else None
        return Page(tuple(items), next_cursor)
