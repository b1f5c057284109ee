"""Both stores honour the KeyStore contract (SQLite, PostgreSQL, memory), and a fresh store
holds no key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from avatar_service.adapters.store.memory import MemoryStore
from avatar_service.adapters.store.sqlmodel import schema
from avatar_service.adapters.store.sqlmodel.store import SqlModelStore
from avatar_service.contracts import KeyStoreContract


def _ready(url: str) -> SqlModelStore:
    store = SqlModelStore.from_url(url)
    schema.prepare(store.engine, upgrade_allowed=True)
    return store


@pytest.fixture(scope="module")
def sqlite_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlModelStore]:
    store = _ready(f"sqlite:///{tmp_path_factory.mktemp('keys') / 'keys.db'}")
    yield store
    store.close()


@pytest.fixture(scope="module")
def postgres_keys(postgres_url: str) -> Iterator[SqlModelStore]:
    store = _ready(postgres_url)
    yield store
    store.close()


class TestMemoryKeys(KeyStoreContract):
    @pytest.fixture
    def adapter(self) -> MemoryStore:
        return MemoryStore()


class TestSqliteKeys(KeyStoreContract):
    @pytest.fixture
    def adapter(self, sqlite_keys: SqlModelStore) -> SqlModelStore:
        return sqlite_keys


@pytest.mark.postgres
class TestPostgresKeys(KeyStoreContract):
    @pytest.fixture
    def adapter(self, postgres_keys: SqlModelStore) -> SqlModelStore:
        return postgres_keys


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_fresh_store_has_no_keys(kind: str, tmp_path: Path) -> None:
    store = MemoryStore() if kind == "memory" else _ready(f"sqlite:///{tmp_path / 'k.db'}")
    assert not store.has_keys()
    assert store.list_keys() == []
