"""Byte-object ports: the blob store and the leftovers a killed process leaves behind."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from avatar_service.core.records import (
    BlobInfo,
    Namespace,
)


@runtime_checkable
class BlobStore(Protocol):
    """Named byte objects in three namespaces.

    - Every name goes through ``core.blobnames.safe_blob_name`` first: an unsafe name raises
      ``Invalid`` and touches nothing.
    - ``write`` consumes ``chunks`` one at a time (never the whole object in memory), computes
      the sha256, and makes the object visible only when complete. Past ``max_size`` bytes it
      raises ``TooLarge``; any failure (including the iterator raising) leaves no object and
      no partial data behind. An existing name raises ``Conflict`` unless ``overwrite``.
    - ``stat``/``read`` of a missing name raise ``NotFound``. ``read(start, end)`` yields the
      bytes ``[start, end)`` (``end=None`` or past the size: to the end) in chunks; ``start ==
      size`` yields nothing; a negative start, a start past the size or ``end < start``
      raise ``Invalid`` (field ``range``). ``BlobInfo.checksum`` is the lowercase hex sha256.
    - ``list`` returns metadata recorded at write time (never re-reading contents), names in
      sorted order, those starting with ``prefix``, at most ``limit``, after ``cursor``
      (the last name of the previous page).
    - ``delete`` returns whether something was deleted.

    Tenancy: a blob store acts in ``DEFAULT_TENANT`` as built; ``scoped(tenant)`` is a view
    acting in ``tenant``, whose objects no other tenant's view can stat, read, list, overwrite
    or delete (the same name in two tenants is two objects). ``tenants()`` names every tenant
    that holds an object or ever did, ``DEFAULT_TENANT`` always included.
    """

    def scoped(self, tenant: str) -> BlobStore: ...
    def tenants(self) -> list[str]: ...

    def write(
        self,
        namespace: Namespace,
        name: str,
        chunks: Iterable[bytes],
        *,
        max_size: int,
        content_type: str | None = None,
        overwrite: bool = False,
    ) -> BlobInfo: ...
    def stat(self, namespace: Namespace, name: str) -> BlobInfo: ...
    def read(
        self, namespace: Namespace, name: str, start: int = 0, end: int | None = None
    ) -> Iterator[bytes]: ...
    def list(
        self,
        namespace: Namespace,
        *,
        prefix: str = "",
        limit: int = 1000,
        cursor: str | None = None,
    ) -> list[BlobInfo]: ...
    def delete(self, namespace: Namespace, name: str) -> bool: ...

    def check(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Leftover:
    """A file a crashed or killed process left behind: ``where`` is the area (a blob
    namespace, ``temp``), ``path`` the file inside it, ``modified`` its last change."""

    where: str
    path: str
    size: int
    modified: datetime


@runtime_checkable
class LeftoverSource(Protocol):
    """Optional capability (``avatar gc``) of a ``BlobStore`` or a temporary-file area: the
    files no object is made of (partial data of a write that was killed, a temporary file a
    killed render left) and their removal.

    - ``leftovers(older_than)`` lists every such file last modified at or before
      ``older_than``; a file of a write or render still in progress is younger than that.
    - ``remove_leftover(item)`` deletes it and returns whether it was there; it never
      deletes anything an object is made of.
    """

    def leftovers(self, older_than: datetime) -> list[Leftover]: ...
    def remove_leftover(self, item: Leftover) -> bool: ...
