"""``GarbageCollector``: orphans both ways, dry run by default, young blobs spared."""

from __future__ import annotations

from datetime import timedelta

import pytest

from avatar_service.adapters.blobs.memory import MemoryBlobStore
from avatar_service.adapters.store.memory import MemoryStore
from avatar_service.adapters.store.sqlmodel.factory import open_store
from avatar_service.contracts import _records as make
from avatar_service.core.errors import Invalid, NotFound, Unavailable
from avatar_service.core.ports import Store
from avatar_service.core.records import Namespace
from avatar_service.core.usecases.gc import GarbageCollector, Orphan

NOW = timedelta(0)


def _blob(blobs: MemoryBlobStore, namespace: Namespace, name: str) -> None:
    blobs.write(namespace, name, [b"x"], max_size=10)


def _setup(store: Store) -> tuple[MemoryBlobStore, str, str]:
    blobs = MemoryBlobStore()
    avatar = make.avatar(store)
    kept = make.audio(store, avatar.avatar_id)
    _blob(blobs, Namespace.AUDIOS, kept.blob_name)
    lost = make.render(store, avatar.avatar_id)  # no blob
    _blob(blobs, Namespace.AUDIOS, "stray.wav")  # no record
    return blobs, kept.audio_id, lost.render_id


def test_finds_blobs_without_records_and_records_without_blobs() -> None:
    store = open_store("sqlite://")
    blobs, _kept, lost = _setup(store)
    orphans = GarbageCollector(store, blobs).find(min_age=NOW)
    lost_blob = store.get_render(lost).blob_name
    assert orphans == [
        Orphan("blob", Namespace.AUDIOS, "stray.wav"),
        Orphan("record", Namespace.RENDERS, lost_blob, lost),
    ]


def test_dry_run_by_default_and_apply_removes_both_kinds() -> None:
    store = open_store("sqlite://")
    blobs, kept, lost = _setup(store)
    gc = GarbageCollector(store, blobs)
    report = gc.collect(min_age=NOW)
    assert (report.applied, report.removed, len(report.orphans)) == (False, 0, 2)
    assert len(gc.find(min_age=NOW)) == 2, "a dry run changes nothing"
    applied = gc.collect(apply=True, min_age=NOW)
    assert (applied.applied, applied.removed) == (True, 2)
    assert gc.find(min_age=NOW) == []
    with pytest.raises(NotFound):
        store.get_render(lost)
    assert store.get_audio(kept).audio_id == kept


def test_young_blobs_are_never_orphans() -> None:
    store = open_store("sqlite://")
    blobs, _kept, _lost = _setup(store)
    kinds = [o.kind for o in GarbageCollector(store, blobs).find()]
    assert kinds == ["record"], "a blob written a moment ago may still be waiting for its row"


def test_a_store_that_cannot_remove_records_is_unavailable_on_apply() -> None:
    store = MemoryStore()
    blobs, _kept, _lost = _setup(store)
    with pytest.raises(Unavailable, match="cannot remove single records"):
        GarbageCollector(store, blobs).collect(apply=True, min_age=NOW)


def test_negative_min_age_is_invalid() -> None:
    with pytest.raises(Invalid):
        GarbageCollector(MemoryStore(), MemoryBlobStore()).find(min_age=timedelta(seconds=-1))
