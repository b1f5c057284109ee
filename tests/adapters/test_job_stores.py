"""The memory and SQL stores honour the JobStore contract (SQL on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from avatar_service.adapters.store.memory import MemoryStore
from avatar_service.adapters.store.sqlmodel import schema
from avatar_service.adapters.store.sqlmodel.store import SqlModelStore
from avatar_service.contracts import JobStoreContract


def _ready(url: str) -> SqlModelStore:
    store = SqlModelStore.from_url(url)
    schema.prepare(store.engine, upgrade_allowed=True)
    return store


@pytest.fixture(scope="module")
def sqlite_jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlModelStore]:
    store = _ready(f"sqlite:///{tmp_path_factory.mktemp('jobs') / 'jobs.db'}")
    yield store
    store.close()


@pytest.fixture(scope="module")
def postgres_jobs(postgres_url: str) -> Iterator[SqlModelStore]:
    store = _ready(postgres_url)
    yield store
    store.close()


class TestMemoryJobStore(JobStoreContract):
    @pytest.fixture
    def adapter(self) -> MemoryStore:
        return MemoryStore()


class TestSqliteJobStore(JobStoreContract):
    @pytest.fixture
    def adapter(self, sqlite_jobs: SqlModelStore) -> SqlModelStore:
        return sqlite_jobs


@pytest.mark.postgres
class TestPostgresJobStore(JobStoreContract):
    @pytest.fixture
    def adapter(self, postgres_jobs: SqlModelStore) -> SqlModelStore:
        return postgres_jobs
