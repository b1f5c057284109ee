"""API keys for the in-process store (``KeyStore``), mixed into ``MemoryStore``."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from avatar_service.core.auth import ApiKey
from avatar_service.core.errors import Conflict, NotFound
from avatar_service.core.ports import KeyStore


class MemoryKeys(KeyStore):
    """Keys in a dict behind their own lock (records are frozen: no copies needed)."""

    def __init__(self) -> None:
        self._keys_lock = threading.Lock()
        self._api_keys: dict[str, ApiKey] = {}

    def add_key(self, key: ApiKey) -> ApiKey:
        with self._keys_lock:
            if key.key_id in self._api_keys:
                raise Conflict(f"key {key.key_id!r} already exists", field="key_id")
            self._api_keys[key.key_id] = key
            return key

    def get_key(self, key_id: str) -> ApiKey:
        with self._keys_lock:
            try:
                return self._api_keys[key_id]
            except KeyError:
                raise NotFound(f"no API key {key_id!r}", field="key_id") from None

    def list_keys(self) -> list[ApiKey]:
        with self._keys_lock:
            return sorted(self._api_keys.values(), key=lambda k: (k.created_at, k.key_id))

    def revoke_key(self, key_id: str, at: datetime) -> ApiKey:
        with self._keys_lock:
            key = self._api_keys.get(key_id)
            if key is None:
                raise NotFound(f"no API key {key_id!r}", field="key_id")
            if key.revoked_at is None:
                key = self._api_keys[key_id] = replace(key, revoked_at=at)
            return key

    def has_keys(self) -> bool:
        with self._keys_lock:
            return bool(self._api_keys)
