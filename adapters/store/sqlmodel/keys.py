"""API keys in the SQL store (``KeyStore``), mixed into ``SqlModelStore``: its ``_read`` and
``_write`` connections, the ``api_keys`` table."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa

from avatar_service.adapters.store.sqlmodel.queries import is_unique_violation, one, sortable
from avatar_service.adapters.store.sqlmodel.tables import TABLES
from avatar_service.core.auth import ApiKey, Scope
from avatar_service.core.errors import Conflict
from avatar_service.core.ports import KeyStore

API_KEYS = TABLES["api_keys"]


class _Connections(Protocol):
    _postgres: bool

    def _read(self) -> contextlib.AbstractContextManager[sa.Connection]: ...
    def _write(self) -> contextlib.AbstractContextManager[sa.Connection]: ...


def _to_key(row: Any) -> ApiKey:
    return ApiKey(
        key_id=row["key_id"],
        name=row["name"],
        scope=Scope.parse(row["scope"]),
        salt=row["salt"],
        secret_hash=row["secret_hash"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        tenant=row["tenant"],
    )


class SqlKeys(KeyStore):
    def add_key(self: _Connections, key: ApiKey) -> ApiKey:
        values = {
            "key_id": key.key_id,
            "name": key.name,
            "scope": key.scope.label,
            "salt": key.salt,
            "secret_hash": key.secret_hash,
            "created_at": key.created_at,
            "revoked_at": key.revoked_at,
            "tenant": key.tenant,
        }
        try:
            with self._write() as conn:
                conn.execute(sa.insert(API_KEYS).values(**values))
        except sa.exc.IntegrityError as exc:
            if is_unique_violation(exc):
                raise Conflict(f"key {key.key_id!r} already exists", field="key_id") from None
            raise
        return key

    def get_key(self: _Connections, key_id: str) -> ApiKey:
        with self._read() as conn:
            return _to_key(one(conn, API_KEYS, "key_id", key_id, "API key"))

    def list_keys(self: _Connections) -> list[ApiKey]:
        query = sa.select(API_KEYS).order_by(
            API_KEYS.c.created_at, sortable(API_KEYS.c.key_id, self._postgres)
        )
        with self._read() as conn:
            return [_to_key(row) for row in conn.execute(query).mappings()]

    def revoke_key(self: _Connections, key_id: str, at: datetime) -> ApiKey:
        with self._write() as conn:
            conn.execute(
                sa.update(API_KEYS)
                .where(API_KEYS.c.key_id == key_id, API_KEYS.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
            return _to_key(one(conn, API_KEYS, "key_id", key_id, "API key"))

    def has_keys(self: _Connections) -> bool:
        with self._read() as conn:
            return conn.execute(sa.select(API_KEYS.c.id).limit(1)).first() is not None
