"""The SQL store's read path: the avatar memo is keyed by the stored row (another writer's
change is seen at once) and bounded; SQLite reads may run on an event loop, lock wait bounded."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from avatar_service.adapters.store.sqlmodel import schema
from avatar_service.adapters.store.sqlmodel.prepared import READ_BUSY_TIMEOUT_MS, PreparedQuery
from avatar_service.adapters.store.sqlmodel.store import SqlModelStore
from avatar_service.contracts import _records as make
from avatar_service.core.avatar import AvatarState


def _ready(url: str) -> SqlModelStore:
    store = SqlModelStore.from_url(url)
    schema.prepare(store.engine, upgrade_allowed=True)
    return store


def test_a_change_by_another_store_on_the_file_is_read_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'memo.db'}"
    reader, writer = _ready(url), _ready(url)
    try:
        avatar = make.avatar(writer)
        assert reader.get_avatar(avatar.avatar_id) == reader.get_avatar(avatar.avatar_id)
        writer.update_avatar(avatar.avatar_id, state=AvatarState(hair_color="#aa3300"))
        changed = reader.get_avatar(avatar.avatar_id)
        assert changed.version == avatar.version + 1
        assert changed.state.hair_color == "#aa3300"
    finally:
        reader.close()
        writer.close()


def test_the_memo_holds_at_most_its_size(tmp_path: Path) -> None:
    store = _ready(f"sqlite:///{tmp_path / 'bound.db'}")
    table = sa.Table("avatars", sa.MetaData(), autoload_with=store.engine)
    query = PreparedQuery(
        store.engine,
        sa.select(table).where(table.c.avatar_id == sa.bindparam("item_id")),
        memo_size=2,
    )
    try:
        ids = [make.avatar(store).avatar_id for _ in range(5)]
        for avatar_id in ids:
            assert query.first_as(dict, item_id=avatar_id) is not None
            assert len(query._memo) <= 2
        assert query.first_as(dict, item_id="no-such-avatar") is None
    finally:
        query.close()
        store.close()


def test_only_sqlite_reads_may_run_on_an_event_loop_and_their_lock_wait_is_bounded(
    tmp_path: Path,
) -> None:
    store = _ready(f"sqlite:///{tmp_path / 'loop.db'}")
    try:
        avatar = make.avatar(store)
        store.get_avatar(avatar.avatar_id)  # opens this thread's read connection
        query = store._get["avatar"]
        busy = query._connection().dbapi_connection.execute("PRAGMA busy_timeout").fetchone()
        assert store.READS_ON_LOOP is True
        assert busy[0] == READ_BUSY_TIMEOUT_MS
    finally:
        store.close()
    postgres = SqlModelStore.from_url("postgresql://nobody@127.0.0.1:1/none")  # never connects
    assert postgres.READS_ON_LOOP is False
    postgres.close()
