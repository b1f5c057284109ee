"""The SQL store honours the Store contract on SQLite and PostgreSQL, and keeps what the
contract cannot see: parallel writers on SQLite files, no "database is locked", aware times."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from avatar_service.adapters.store.sqlmodel import schema
from avatar_service.adapters.store.sqlmodel.store import SqlModelStore
from avatar_service.contracts import StoreContract
from avatar_service.contracts import _records as make
from avatar_service.core.errors import Conflict, Invalid, Unavailable
from avatar_service.core.usecases.backup import Backup


def _ready(url: str) -> SqlModelStore:
    store = SqlModelStore.from_url(url)
    schema.prepare(store.engine, upgrade_allowed=True)
    return store


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlModelStore]:
    store = _ready(f"sqlite:///{tmp_path_factory.mktemp('db') / 'store.db'}")
    yield store
    store.close()


@pytest.fixture(scope="module")
def postgres_store(postgres_url: str) -> Iterator[SqlModelStore]:
    store = _ready(postgres_url)
    yield store
    store.close()


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def adapter(self, sqlite_store: SqlModelStore) -> SqlModelStore:
        return sqlite_store


@pytest.mark.postgres
class TestPostgresStore(StoreContract):
    @pytest.fixture
    def adapter(self, postgres_store: SqlModelStore) -> SqlModelStore:
        return postgres_store


def test_sqlite_file_and_its_directory_are_created(tmp_path: Path) -> None:
    store = _ready(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'avatar.db'}")
    make.avatar(store)
    store.close()
    assert (tmp_path / "nested" / "dir" / "avatar.db").is_file()


def test_two_stores_on_one_sqlite_file_write_in_parallel_without_locking_errors(
    tmp_path: Path,
) -> None:
    """Two engines on one file are two independent writers, like two processes."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = _ready(url), SqlModelStore.from_url(url)
    avatar = make.avatar(first)

    def write(n: int) -> None:
        store = first if n % 2 else second
        for i in range(15):
            store.update_avatar(avatar.avatar_id, name=f"{n}-{i}")
            make.audio(store, avatar.avatar_id)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(write, range(6)))  # re-raises any "database is locked"
    assert second.get_avatar(avatar.avatar_id).version == 1 + 6 * 15
    first.close()
    second.close()


def test_sqlite_pragmas_are_wal_foreign_keys_and_busy_timeout(sqlite_store: SqlModelStore) -> None:
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_a_soft_deleted_session_id_stays_taken_until_its_avatar_is_deleted(
    sqlite_store: SqlModelStore,
) -> None:
    avatar = make.avatar(sqlite_store)
    session = make.session(sqlite_store, avatar.avatar_id)
    sqlite_store.delete_session(session.session_id)
    with pytest.raises(Conflict):
        sqlite_store.create_session(session)
    deleted = sqlite_store.delete_avatar(avatar.avatar_id)
    assert deleted.sessions == (session.session_id,)
    make.avatar(sqlite_store, avatar_id=avatar.avatar_id)
    assert sqlite_store.create_session(session).session_id == session.session_id


def test_limit_below_one_is_invalid_naming_limit(sqlite_store: SqlModelStore) -> None:
    with pytest.raises(Invalid) as caught:
        sqlite_store.list_avatars(limit=0)
    assert caught.value.field == "limit"


def test_check_reports_an_unreachable_database() -> None:
    store = SqlModelStore.from_url("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(Unavailable, match="DATABASE_URL"):
        store.check()


def test_a_url_for_another_database_is_invalid() -> None:
    with pytest.raises(Invalid, match="DATABASE_URL"):
        SqlModelStore.from_url("mysql://root@localhost/db")


@pytest.mark.postgres
def test_a_dump_moves_everything_from_sqlite_to_postgresql(
    tmp_path: Path, make_postgres_database: Callable[[], str]
) -> None:
    source = _ready(f"sqlite:///{tmp_path / 'source.db'}")
    avatar = make.avatar(source)
    source.update_avatar(avatar.avatar_id, name="v2")
    session = make.session(source, avatar.avatar_id, nested={"k": [1]})
    preset = make.preset(source)
    audio = make.audio(source, avatar.avatar_id, session.session_id)
    render = make.render(source, avatar.avatar_id)
    target = _ready(make_postgres_database())
    report = Backup(target).load(json.loads(json.dumps(Backup(source).export())))
    assert set(report.created.values()) == {1}
    assert target.get_avatar(avatar.avatar_id) == source.get_avatar(avatar.avatar_id)
    assert target.get_session(session.session_id) == session
    assert target.get_preset(preset.preset_id) == preset
    assert target.get_audio(audio.audio_id) == audio
    assert target.get_render(render.render_id) == render
    source.close()
    target.close()
