"""API keys: create, list and revoke stored keys; authenticate a presented key.

Keys come from two places: the environment (``EnvKey``, fixed for the life of the process) and
the store (``KeyStore``, managed with ``avatar keys``). Authentication is required as soon as
either holds a key; a store that once held keys keeps requiring them after they are all
revoked, so revoking the last key never opens the service.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from avatar_service.core.auth import (
    ApiKey,
    EnvKey,
    Principal,
    highest_scope,
    match_env_key,
    matches,
    new_stored_key,
    split_stored_key,
)
from avatar_service.core.errors import Invalid, NotFound, Unavailable
from avatar_service.core.ports import KeyStore
from avatar_service.core.records import utcnow
from avatar_service.core.tenancy import DEFAULT_TENANT

MAX_NAME = 100
RECHECK_SECONDS = 1.0
"""How long "the store holds no key" is believed before the store is asked again."""


class KeyUseCases:
    """``store`` is ``None`` when the configured store cannot keep keys (environment keys
    still work; managing keys raises ``Unavailable``)."""

    def __init__(
        self,
        store: KeyStore | None,
        env_keys: Sequence[EnvKey] = (),
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._env = tuple(env_keys)
        self._clock = clock
        self._stored_known = False
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    def _keys(self) -> KeyStore:
        if self._store is None:
            raise Unavailable(
                "the configured store cannot keep API keys; use the sqlmodel or memory store, "
                "or configure keys in AVATAR_API_KEYS"
            )
        return self._store

    def create(
        self, name: str, scopes: Sequence[str], tenant: str = DEFAULT_TENANT
    ) -> tuple[ApiKey, str]:
        """A new stored key of ``tenant`` and its secret (returned once; only a hash is
        kept)."""
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise Invalid(f"a key name is 1-{MAX_NAME} characters", field="name")
        record, secret = new_stored_key(name, highest_scope(scopes), utcnow(), tenant)
        self._keys().add_key(record)
        self._stored_known = True
        return record, secret

    def list(self) -> list[ApiKey]:
        return self._keys().list_keys()

    def revoke(self, key_id: str) -> ApiKey:
        return self._keys().revoke_key(key_id, utcnow())

    def required(self) -> bool:
        """Whether requests must present a key: any key configured or ever stored."""
        if self._env or self._stored_known:
            return True
        if self._store is None:
            return False
        now = self._clock()
        checked = self._checked_at
        if checked is not None and now - checked < RECHECK_SECONDS:
            return False
        with self._lock:
            if self._checked_at is None or now - self._checked_at >= RECHECK_SECONDS:
                self._stored_known = self._store.has_keys()
                self._checked_at = now
            return self._stored_known

    def authenticate(self, raw: str) -> Principal | None:
        """The principal ``raw`` names, or ``None`` for an unknown, malformed or revoked key."""
        parts = split_stored_key(raw)
        if parts is not None and self._store is not None:
            key_id, secret = parts
            try:
                record: ApiKey | None = self._store.get_key(key_id)
            except NotFound:
                record = None
            if record is not None and record.active and matches(record, secret):
                return Principal(record.key_id, record.name, record.scope, record.tenant)
        env = match_env_key(self._env, raw)
        if env is None:
            return None
        return Principal(env.key_id, env.key_id, env.scope, env.tenant)
