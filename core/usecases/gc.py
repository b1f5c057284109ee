"""Garbage collection: blobs no record names, and records whose blob is gone.

Blobs are written before their record and deleted after the record's commit, so a crash
leaves at worst a blob without a record; a blob store that lost data leaves records without
blobs. ``collect`` finds both; with ``apply`` it removes them. Blobs younger than ``min_age``
are never orphans: their record may still be on its way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from avatar_service.core.errors import Invalid, NotFound, Unavailable
from avatar_service.core.ports import BlobStore, RecordRemover, Store
from avatar_service.core.records import (
    AudioRecord,
    BlobInfo,
    Namespace,
    Page,
    RenderRecord,
    utcnow,
)

T = TypeVar("T")
PAGE = 500
DEFAULT_MIN_AGE = timedelta(hours=1)
"""A blob younger than this is never collected (its record may not be committed yet)."""


@dataclass(frozen=True, slots=True)
class Orphan:
    """``kind`` is ``"blob"`` (a blob no record names) or ``"record"`` (a record whose blob
    is missing); ``name`` the blob name, ``record_id`` the record's id (records only)."""

    kind: str
    namespace: Namespace
    name: str
    record_id: str | None = None


@dataclass(frozen=True, slots=True)
class GcReport:
    orphans: tuple[Orphan, ...]
    applied: bool
    removed: int


def _walk(list_page: Callable[..., Page[T]]) -> Iterator[T]:
    cursor: str | None = None
    while True:
        page = list_page(limit=PAGE, cursor=cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


class GarbageCollector:
    """Orphan finder and remover over a ``Store`` and a ``BlobStore``."""

    def __init__(self, store: Store, blobs: BlobStore) -> None:
        self._store = store
        self._blobs = blobs

    def find(self, *, min_age: timedelta = DEFAULT_MIN_AGE) -> list[Orphan]:
        """Every orphan, blobs first, each namespace in name order."""
        if min_age < timedelta(0):
            raise Invalid("min_age must not be negative", field="min_age")
        audios: list[AudioRecord] = list(_walk(self._store.list_audios))
        renders: list[RenderRecord] = list(_walk(self._store.list_renders))
        named = {
            Namespace.AUDIOS: {r.blob_name: r.audio_id for r in audios},
            Namespace.RENDERS: {r.blob_name: r.render_id for r in renders},
        }
        cutoff = utcnow() - min_age
        orphans: list[Orphan] = []
        present: dict[Namespace, set[str]] = {}
        for namespace, records in named.items():
            names = present[namespace] = set()
            for info in self._all_blobs(namespace):
                names.add(info.name)
                if info.name not in records and info.modified <= cutoff:
                    orphans.append(Orphan("blob", namespace, info.name))
        for namespace, records in named.items():
            for blob_name, record_id in sorted(records.items()):
                if blob_name not in present[namespace]:
                    orphans.append(Orphan("record", namespace, blob_name, record_id))
        return orphans

    def collect(self, *, apply: bool = False, min_age: timedelta = DEFAULT_MIN_AGE) -> GcReport:
        """Find orphans; with ``apply``, delete orphan blobs and orphan records. Removing
        records needs a store with the ``RecordRemover`` capability (else ``Unavailable``)."""
        orphans = self.find(min_age=min_age)
        if not apply:
            return GcReport(tuple(orphans), applied=False, removed=0)
        has_records = any(o.kind == "record" for o in orphans)
        if has_records and not isinstance(self._store, RecordRemover):
            raise Unavailable(
                f"{type(self._store).__name__} cannot remove single records; remove the "
                "orphan records' avatars or sessions instead"
            )
        removed = 0
        for orphan in orphans:
            removed += self._remove(orphan)
        return GcReport(tuple(orphans), applied=True, removed=removed)

    def _remove(self, orphan: Orphan) -> int:
        if orphan.kind == "blob":
            return int(self._blobs.delete(orphan.namespace, orphan.name))
        assert isinstance(self._store, RecordRemover) and orphan.record_id is not None
        remove = (
            self._store.delete_audio
            if orphan.namespace == Namespace.AUDIOS
            else self._store.delete_render
        )
        try:
            remove(orphan.record_id)
        except NotFound:  # removed meanwhile (e.g. its avatar was deleted): already gone
            return 0
        return 1

    def _all_blobs(self, namespace: Namespace) -> Iterator[BlobInfo]:
        cursor: str | None = None
        while True:
            batch = self._blobs.list(namespace, limit=PAGE, cursor=cursor)
            yield from batch
            if len(batch) < PAGE:
                return
            cursor = batch[-1].name
