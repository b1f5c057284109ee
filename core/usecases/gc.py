"""Garbage collection: blobs no record names, records whose blob is gone, and what killed
processes left behind.

Blobs are written before their record and deleted after the record's commit, so a crash
leaves at worst a blob without a record; a blob store that lost data leaves records without
blobs. A process killed mid-write or mid-render leaves files no object is made of (partial
data, temporary audio and video): the ``LeftoverSource`` capability finds those. ``collect``
finds all of them, in every tenant; with ``apply`` it removes them. Nothing younger than
``min_age`` is collected: its record or its manifest may still be on its way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from avatar_service.core.errors import Invalid, NotFound, Unavailable
from avatar_service.core.ports import BlobStore, Leftover, LeftoverSource, RecordRemover, Store
from avatar_service.core.records import (
    AudioRecord,
    BlobInfo,
    Namespace,
    Page,
    RenderRecord,
    utcnow,
)
from avatar_service.core.tenancy import ALL_TENANTS, DEFAULT_TENANT

T = TypeVar("T")
PAGE = 500
DEFAULT_MIN_AGE = timedelta(hours=1)
"""A blob younger than this is never collected (its record may not be committed yet)."""


@dataclass(frozen=True, slots=True)
class Orphan:
    """``kind`` is ``"blob"`` (a blob no record names) or ``"record"`` (a record whose blob
    is missing); ``name`` the blob name, ``record_id`` the record's id (records only),
    ``tenant`` the tenant both belong to."""

    kind: str
    namespace: Namespace
    name: str
    record_id: str | None = None
    tenant: str = DEFAULT_TENANT


@dataclass(frozen=True, slots=True)
class GcReport:
    orphans: tuple[Orphan, ...]
    applied: bool
    removed: int
    leftovers: tuple[Leftover, ...] = ()
    """Files of killed writes and renders (partial data, temporary files)."""


def _walk(list_page: Callable[..., Page[T]]) -> Iterator[T]:
    cursor: str | None = None
    while True:
        page = list_page(limit=PAGE, cursor=cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


class GarbageCollector:
    """Orphan finder and remover over a ``Store`` and a ``BlobStore`` (every tenant of
    both), plus the leftovers of ``leftover_sources`` and of the blob store itself when it
    has the ``LeftoverSource`` capability."""

    def __init__(
        self, store: Store, blobs: BlobStore, leftover_sources: Sequence[LeftoverSource] = ()
    ) -> None:
        self._store = store.scoped(ALL_TENANTS)
        self._blobs = blobs
        sources = [blobs] if isinstance(blobs, LeftoverSource) else []
        self._sources: list[LeftoverSource] = [*sources, *leftover_sources]

    def find(self, *, min_age: timedelta = DEFAULT_MIN_AGE) -> list[Orphan]:
        """Every orphan, tenant by tenant (in name order), blobs first, each namespace in
        name order."""
        if min_age < timedelta(0):
            raise Invalid("min_age must not be negative", field="min_age")
        audios: list[AudioRecord] = list(_walk(self._store.list_audios))
        renders: list[RenderRecord] = list(_walk(self._store.list_renders))
        tenants = sorted(
            {*self._blobs.tenants(), *(r.tenant for r in audios), *(r.tenant for r in renders)}
        )
        cutoff = utcnow() - min_age
        orphans: list[Orphan] = []
        for tenant in tenants:
            named = {
                Namespace.AUDIOS: {r.blob_name: r.audio_id for r in audios if r.tenant == tenant},
                Namespace.RENDERS: {
                    r.blob_name: r.render_id for r in renders if r.tenant == tenant
                },
            }
            blobs = self._blobs.scoped(tenant)
            present: dict[Namespace, set[str]] = {}
            for namespace, records in named.items():
                names = present[namespace] = set()
                for info in _all_blobs(blobs, namespace):
                    names.add(info.name)
                    if info.name not in records and info.modified <= cutoff:
                        orphans.append(Orphan("blob", namespace, info.name, tenant=tenant))
            for namespace, records in named.items():
                for blob_name, record_id in sorted(records.items()):
                    if blob_name not in present[namespace]:
                        orphans.append(Orphan("record", namespace, blob_name, record_id, tenant))
        return orphans

    def find_leftovers(self, *, min_age: timedelta = DEFAULT_MIN_AGE) -> list[Leftover]:
        """Files killed writes and renders left, untouched for at least ``min_age``."""
        if min_age < timedelta(0):
            raise Invalid("min_age must not be negative", field="min_age")
        cutoff = utcnow() - min_age
        return [item for source in self._sources for item in source.leftovers(cutoff)]

    def collect(self, *, apply: bool = False, min_age: timedelta = DEFAULT_MIN_AGE) -> GcReport:
        """Find orphans and leftovers; with ``apply``, delete orphan blobs, orphan records and
        leftovers. Removing records needs a store with the ``RecordRemover`` capability (else
        ``Unavailable``)."""
        orphans = self.find(min_age=min_age)
        leftovers = self.find_leftovers(min_age=min_age)
        if not apply:
            return GcReport(tuple(orphans), applied=False, removed=0, leftovers=tuple(leftovers))
        has_records = any(o.kind == "record" for o in orphans)
        if has_records and not isinstance(self._store, RecordRemover):
            raise Unavailable(
                f"{type(self._store).__name__} cannot remove single records; remove the "
                "orphan records' avatars or sessions instead"
            )
        removed = 0
        for orphan in orphans:
            removed += self._remove(orphan)
        for item in leftovers:
            removed += any(source.remove_leftover(item) for source in self._sources)
        return GcReport(tuple(orphans), applied=True, removed=removed, leftovers=tuple(leftovers))

    def _remove(self, orphan: Orphan) -> int:
        if orphan.kind == "blob":
            return int(self._blobs.scoped(orphan.tenant).delete(orphan.namespace, orphan.name))
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


def _all_blobs(blobs: BlobStore, namespace: Namespace) -> Iterator[BlobInfo]:
    cursor: str | None = None
    while True:
        batch = blobs.list(namespace, limit=PAGE, cursor=cursor)
        yield from batch
        if len(batch) < PAGE:
            return
        cursor = batch[-1].name
