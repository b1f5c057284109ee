"""Migration 0004 on a database made at 0003: every row lands in the default tenant, reads
back the same through the store, and ids become unique per tenant (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from avatar_service.adapters.store.sqlmodel import schema
from avatar_service.adapters.store.sqlmodel.engine import create_engine
from avatar_service.adapters.store.sqlmodel.store import SqlModelStore
from avatar_service.core.avatar import AvatarState
from avatar_service.core.errors import NotFound
from avatar_service.core.jobs import JobFilter
from avatar_service.core.records import Avatar
from avatar_service.core.tenancy import DEFAULT_TENANT

WHEN = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ROWS = {
    "avatars": {
        "id": 7,
        "avatar_id": "ava",
        "name": "Ava",
        "state": "{}",
        "version": 3,
        "created_at": WHEN,
        "updated_at": WHEN,
    },
    "presets": {
        "id": 2,
        "preset_id": "calm",
        "name": "Calm",
        "settings": '{"hair_style": "bob"}',
        "version": 1,
        "created_at": WHEN,
        "updated_at": WHEN,
    },
    "sessions": {
        "id": 4,
        "session_id": "s1",
        "avatar_id": "ava",
        "metadata": '{"k": 1}',
        "created_at": WHEN,
        "deleted_at": None,
    },
    "audios": {
        "id": 9,
        "audio_id": "au_1",
        "avatar_id": "ava",
        "session_id": "s1",
        "text": "hi",
        "voice_id": "v",
        "duration": 1.5,
        "sample_rate": 16000,
        "blob_name": "au_1.wav",
        "created_at": WHEN,
    },
    "renders": {
        "id": 5,
        "render_id": "rd_1",
        "avatar_id": "ava",
        "session_id": None,
        "kind": "video",
        "width": 64,
        "height": 64,
        "format": "mp4",
        "blob_name": "rd_1.mp4",
        "duration": 1.0,
        "fps": 25,
        "frames": 25,
        "created_at": WHEN,
    },
    "jobs": {
        "id": 1,
        "job_id": "job_1",
        "kind": "sequence",
        "status": "queued",
        "request": "{}",
        "avatar_id": "ava",
        "progress": 0.0,
        "result": None,
        "error": None,
        "webhook_url": None,
        "webhook_status": None,
        "attempts": 0,
        "lease_owner": None,
        "lease_expires_at": None,
        "version": 1,
        "created_at": WHEN,
        "updated_at": WHEN,
        "started_at": None,
        "finished_at": None,
    },
    "api_keys": {
        "id": 1,
        "key_id": "0123456789ab",
        "name": "ci",
        "scope": "write",
        "salt": "s",
        "secret_hash": "h",
        "created_at": WHEN,
        "revoked_at": None,
    },
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'before-tenants.db'}"
    else:
        url = request.getfixturevalue("make_postgres_database")()
    engine = create_engine(url)
    yield engine
    engine.dispose()


def _at_0003_with_data(engine: sa.Engine) -> None:
    schema.upgrade(engine, "0003")
    with engine.begin() as conn:
        for table, row in ROWS.items():
            columns = ", ".join(row)
            values = ", ".join(f":{name}" for name in row)
            conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row)


def test_upgrade_moves_existing_data_into_the_default_tenant(engine: sa.Engine) -> None:
    _at_0003_with_data(engine)
    schema.upgrade(engine)
    store = SqlModelStore(engine)
    avatar = store.get_avatar("ava")
    assert (avatar.name, avatar.version, avatar.tenant) == ("Ava", 3, DEFAULT_TENANT)
    assert store.get_session("s1").metadata == {"k": 1}
    assert store.get_preset("calm").settings == {"hair_style": "bob"}
    audio, render = store.get_audio("au_1"), store.get_render("rd_1")
    assert (audio.session_id, audio.tenant, render.avatar_id) == ("s1", DEFAULT_TENANT, "ava")
    jobs = store.list_jobs(where=JobFilter(avatar_id="ava")).items
    assert [(j.job_id, j.tenant) for j in jobs] == [("job_1", DEFAULT_TENANT)]
    assert store.get_key("0123456789ab").tenant == DEFAULT_TENANT
    other = store.scoped("acme")
    with pytest.raises(NotFound):
        other.get_avatar("ava")
    other.create_avatar(Avatar("ava", "Acme's Ava", AvatarState()))  # per tenant now
    assert store.get_avatar("ava").name == "Ava"
    fresh = store.create_avatar(Avatar("next", "Next", AvatarState()))  # ids past the copies
    assert fresh.tenant == DEFAULT_TENANT
    deleted = store.delete_avatar("ava")  # the cascade still holds after the rebuild
    assert (deleted.sessions, [a.audio_id for a in deleted.audios]) == (("s1",), ["au_1"])
    assert other.get_avatar("ava").name == "Acme's Ava"


def test_downgrade_of_a_single_tenant_database_keeps_its_data(engine: sa.Engine) -> None:
    _at_0003_with_data(engine)
    schema.upgrade(engine)
    schema.downgrade(engine, "0003")
    with engine.connect() as conn:
        names = conn.execute(sa.text("SELECT name FROM avatars")).scalars().all()
        sessions = conn.execute(sa.text("SELECT session_id FROM sessions")).scalars().all()
    assert (names, sessions) == (["Ava"], ["s1"])
    schema.upgrade(engine)
    assert SqlModelStore(engine).get_audio("au_1").tenant == DEFAULT_TENANT
