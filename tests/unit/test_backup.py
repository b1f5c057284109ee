"""``Backup``: a dump of one store loads into another unchanged; bad dumps create nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from avatar_service.adapters.store.memory import MemoryStore
from avatar_service.adapters.store.sqlmodel.factory import open_store
from avatar_service.contracts import _records as make
from avatar_service.core.errors import Invalid, NotFound
from avatar_service.core.usecases.backup import Backup


def test_dump_moves_every_record_between_stores_unchanged() -> None:
    source = MemoryStore()
    avatar = make.avatar(source)
    source.update_avatar(avatar.avatar_id, name="Renamed")
    session = make.session(source, avatar.avatar_id, k=[1])
    preset = make.preset(source)
    audio = make.audio(source, avatar.avatar_id, session.session_id)
    render = make.render(source, None, session.session_id)
    dump = json.loads(json.dumps(Backup(source).export()))  # through real JSON
    target = open_store("sqlite://")
    report = Backup(target).load(dump)
    assert report.created == dict.fromkeys(report.created, 1)
    assert target.get_avatar(avatar.avatar_id) == source.get_avatar(avatar.avatar_id)
    assert target.get_session(session.session_id) == session
    assert target.get_preset(preset.preset_id) == preset
    assert target.get_audio(audio.audio_id) == audio
    assert target.get_render(render.render_id) == render
    assert Backup(target).load(dump).skipped == dict.fromkeys(report.created, 1)


HEADER = {"format": "avatar-service/dump", "version": 1}
BAD_PRESET = {
    "preset_id": "p",
    "name": "",
    "settings": {},
    "version": 1,
    "created_at": "yesterday",
    "updated_at": "2026-01-01T00:00:00+00:00",
}


@pytest.mark.parametrize(
    "dump",
    [
        [],
        {"format": "other"},
        {**HEADER, "version": 99},
        {**HEADER, "presets": {}},
        {**HEADER, "presets": [{"preset_id": "p"}]},
        {**HEADER, "presets": [BAD_PRESET]},
        {**HEADER, "presets": ["not an object"]},
    ],
)
def test_a_bad_dump_is_invalid_and_creates_nothing(dump: Any) -> None:
    source = MemoryStore()
    make.avatar(source)
    if isinstance(dump, dict):  # a valid section ahead of the bad one must not be half-imported
        dump = {**dump, "avatars": Backup(source).export()["avatars"]}
    target = MemoryStore()
    with pytest.raises(Invalid):
        Backup(target).load(dump)
    assert target.list_avatars().items == ()


def test_export_and_import_keep_each_records_tenant() -> None:
    source = open_store("sqlite://")
    acme = source.scoped("acme")
    avatar = make.avatar(acme, avatar_id="ada")
    session = make.session(acme, avatar.avatar_id)
    make.audio(acme, avatar.avatar_id, session.session_id)
    make.avatar(source, avatar_id="ada")  # the same id in the default tenant
    dump = json.loads(json.dumps(Backup(source).export()))
    assert sorted(a["tenant"] for a in dump["avatars"]) == ["acme", "default"]
    target = MemoryStore()
    report = Backup(target).load(dump)
    assert report.created == {"avatars": 2, "presets": 0, "sessions": 1, "audios": 1, "renders": 0}
    assert target.scoped("acme").get_session(session.session_id).tenant == "acme"
    assert target.get_avatar("ada").tenant == "default"
    with pytest.raises(NotFound):
        target.get_session(session.session_id)


def test_a_dump_made_before_tenants_imports_into_the_default_tenant() -> None:
    source = MemoryStore()
    make.avatar(source, avatar_id="old")
    dump = Backup(source).export()
    for item in dump["avatars"]:
        del item["tenant"]
    target = MemoryStore()
    Backup(target).load(dump)
    assert target.get_avatar("old").tenant == "default"
