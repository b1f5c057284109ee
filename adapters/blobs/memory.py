"""An in-process ``BlobStore``: bytes in a dict behind a lock. Nothing survives a restart; for
tests and development."""

from __future__ import annotations

import copy
import hashlib
import mimetypes
import threading
import unicodedata
from collections.abc import Iterable, Iterator

from avatar_service.core.blobnames import safe_blob_name
from avatar_service.core.errors import Conflict, Invalid, NotFound, TooLarge
from avatar_service.core.ports import BlobStore
from avatar_service.core.records import BlobInfo, Namespace, utcnow
from avatar_service.core.tenancy import DEFAULT_TENANT, check_tenant

READ_CHUNK = 64 * 1024
_Key = tuple[Namespace, str]


def _namespace(namespace: Namespace | str) -> Namespace:
    try:
        return Namespace(namespace)
    except ValueError:
        options = ", ".join(n.value for n in Namespace)
        raise Invalid(f"namespace must be one of {options}", field="namespace") from None


def _key(namespace: Namespace | str, name: str) -> _Key:
    return _namespace(namespace), safe_blob_name(name)


def _chunks(data: bytes, start: int, stop: int) -> Iterator[bytes]:
    view = memoryview(data)
    for offset in range(start, stop, READ_CHUNK):
        yield bytes(view[offset : min(offset + READ_CHUNK, stop)])


class MemoryBlobStore(BlobStore):
    """Every ``BlobStore`` rule in memory. Names are stored in their normalised form (the one
    ``safe_blob_name`` returns, which ``BlobInfo.name`` reports). Checksums are hex SHA-256.

    Writes build the object outside the lock and publish it in one step, so readers see
    either the old object or the complete new one; a read streams a snapshot. Each tenant has
    its own dict of objects; ``scoped`` views share the lock and the dicts.
    """

    PLUGIN_NAME = "memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tenants: dict[str, dict[_Key, tuple[bytes, BlobInfo]]] = {DEFAULT_TENANT: {}}
        self._tenant = DEFAULT_TENANT
        self._blobs = self._tenants[DEFAULT_TENANT]

    def check(self) -> None:
        return None

    def scoped(self, tenant: str) -> MemoryBlobStore:
        view = copy.copy(self)
        view._tenant = check_tenant(tenant)
        with self._lock:
            view._blobs = self._tenants.setdefault(view._tenant, {})
        return view

    def tenants(self) -> list[str]:
        with self._lock:
            return sorted(self._tenants)

    def write(
        self,
        namespace: Namespace,
        name: str,
        chunks: Iterable[bytes],
        *,
        max_size: int,
        content_type: str | None = None,
        overwrite: bool = False,
    ) -> BlobInfo:
        key = _key(namespace, name)
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 0:
            raise Invalid(f"max_size must be an integer >= 0, got {max_size!r}", field="max_size")
        if not overwrite:
            with self._lock:
                self._refuse_existing(key)
        if isinstance(chunks, bytes | bytearray | memoryview):
            chunks = [bytes(chunks)]  # one object, not an iterable of ints
        buffer = bytearray()
        digest = hashlib.sha256()
        for chunk in chunks:
            if len(buffer) + len(chunk) > max_size:
                raise TooLarge(f"the object is over the limit of {max_size} bytes", field="file")
            buffer += chunk
            digest.update(chunk)
        info = BlobInfo(
            namespace=key[0],
            name=key[1],
            size=len(buffer),
            content_type=content_type
            or mimetypes.guess_type(key[1])[0]
            or "application/octet-stream",
            checksum=digest.hexdigest(),
            modified=utcnow(),
        )
        with self._lock:
            if not overwrite:
                self._refuse_existing(key)  # another writer may have won meanwhile
            self._blobs[key] = (bytes(buffer), info)
        return info

    def stat(self, namespace: Namespace, name: str) -> BlobInfo:
        return self._get(_key(namespace, name))[1]

    def read(
        self, namespace: Namespace, name: str, start: int = 0, end: int | None = None
    ) -> Iterator[bytes]:
        """Bytes ``[start, end)`` in chunks of at most 64 KiB; ``end`` past the object is
        clipped; ``start`` past the end (or negative, or ``end < start``) is ``Invalid``.
        Errors are raised by this call, not by the first ``next()``."""
        data, info = self._get(_key(namespace, name))
        for value in (start, end):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise Invalid("range bounds must be integers", field="range")
        if start < 0 or start > info.size:
            raise Invalid(f"range start {start} is outside 0..{info.size}", field="range")
        if end is not None and end < start:
            raise Invalid(f"range end {end} is before its start {start}", field="range")
        stop = info.size if end is None else min(end, info.size)
        return _chunks(data, start, stop)

    def list(
        self,
        namespace: Namespace,
        *,
        prefix: str = "",
        limit: int = 1000,
        cursor: str | None = None,
    ) -> list[BlobInfo]:
        space = _namespace(namespace)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise Invalid(f"limit must be a positive integer, got {limit!r}", field="limit")
        prefix = unicodedata.normalize("NFKC", prefix)
        after = None if cursor is None else unicodedata.normalize("NFKC", cursor)
        with self._lock:
            infos = [
                info
                for (ns, name), (_, info) in self._blobs.items()
                if ns == space and name.startswith(prefix) and (after is None or name > after)
            ]
        return sorted(infos, key=lambda info: info.name)[:limit]

    def delete(self, namespace: Namespace, name: str) -> bool:
        key = _key(namespace, name)
        with self._lock:
            return self._blobs.pop(key, None) is not None

    def _get(self, key: _Key) -> tuple[bytes, BlobInfo]:
        with self._lock:
            entry = self._blobs.get(key)
        if entry is None:
            raise NotFound(f"no {key[0].value} object named {key[1]!r}", field="name")
        return entry

    def _refuse_existing(self, key: _Key) -> None:
        if key in self._blobs:
            raise Conflict(f"{key[0].value}/{key[1]} already exists", field="name")
