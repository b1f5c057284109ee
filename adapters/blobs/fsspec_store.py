"""``BlobStore`` over any fsspec URL: local folders (``file://`` or a plain path), ``s3://``
through s3fs, ``memory://``. One URL per namespace.

Commit protocol (see ``fsspec_layout`` for the layout): the data goes to a fresh, unique blob
path; only when it is complete is the manifest written in one atomic step (a rename on local
disk; a single PUT on S3). So a failed, cancelled or crashed write leaves at most an
unreferenced blob (never a visible object), an overwrite swaps manifests atomically, and
listing reads manifests only (``fsspec_listing``). A delete removes the manifest first, then
the data.

Tenants: the default tenant's objects live at each namespace's root; every other tenant's in
``tenants/<tenant>/`` below it, a root of its own, so no name in one tenant reaches another.
"""

from __future__ import annotations

import contextlib
import copy
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import IO, Any

from avatar_service.adapters.blobs import fsspec_disk as disk
from avatar_service.adapters.blobs import fsspec_leftovers as leftovers
from avatar_service.adapters.blobs.fsspec_layout import (
    BLOBS,
    INDEX,
    TENANTS,
    TMP,
    CorruptManifest,
    Manifest,
    blob_path,
    manifest_path,
    new_blob_id,
)
from avatar_service.adapters.blobs.fsspec_listing import list_infos
from avatar_service.adapters.blobs.fsspec_meter import Meter
from avatar_service.adapters.blobs.fsspec_space import Space
from avatar_service.core.blobnames import safe_blob_name
from avatar_service.core.errors import Conflict, Invalid, NotFound, Unavailable
from avatar_service.core.mediatypes import content_type_for
from avatar_service.core.ports import BlobStore, Leftover, LeftoverSource
from avatar_service.core.records import BlobInfo, Namespace, utcnow
from avatar_service.core.tenancy import DEFAULT_TENANT, check_tenant

READ_CHUNK = 1024 * 1024
PART_SIZE = 8 * 1024 * 1024
"""Bytes buffered per S3 multipart part (S3's minimum is 5 MiB)."""


class FsspecBlobStore(BlobStore, LeftoverSource):
    """Every ``BlobStore`` rule on any fsspec filesystem (see the module docstring).

    ``urls`` maps each namespace to a URL or plain local path; ``storage_options`` maps a
    protocol (``"s3"``) to its filesystem's options. ``fsync`` makes local writes durable
    before they become visible. Threads share one instance; writers in other processes are
    safe on local disk (atomic rename and link); on S3 the last manifest PUT wins.
    """

    PLUGIN_NAME = "fsspec"

    def __init__(
        self,
        urls: Mapping[Namespace | str, str],
        *,
        storage_options: Mapping[str, Mapping[str, Any]] | None = None,
        fsync: bool = True,
        part_size: int = PART_SIZE,
        read_chunk: int = READ_CHUNK,
    ) -> None:
        spaces = {Namespace(ns): url for ns, url in urls.items()}
        missing = [ns.value for ns in Namespace if ns not in spaces]
        if missing:
            raise Invalid(f"no blob store URL for {', '.join(missing)}", field="blobs")
        options = storage_options or {}
        self._urls = {ns: url.rstrip("/") for ns, url in spaces.items()}
        self._options = options
        self._tenant = DEFAULT_TENANT
        self._spaces = {ns: Space(url, options) for ns, url in spaces.items()}
        self._root_spaces = self._spaces
        """The namespaces' roots: the default tenant's, and where every tenant's lives."""
        self._tenant_spaces: dict[str, dict[Namespace, Space]] = {DEFAULT_TENANT: self._spaces}
        """Each tenant's namespaces, opened once and shared by every view."""
        self._fsync = fsync
        self._part_size = part_size
        self._read_chunk = read_chunk
        self._lock = threading.Lock()

    def check(self) -> None:
        for space in self._spaces.values():
            try:
                if space.local:
                    space.ensure()
                    if not os.access(space.root, os.W_OK):
                        raise PermissionError(f"{space.root} is not writable")
                elif space.protocol in ("s3", "s3a") and not space.fs.exists(
                    space.root.split("/")[0]
                ):
                    raise FileNotFoundError(f"bucket {space.root.split('/')[0]!r} does not exist")
                else:
                    space.fs.exists(space.root)
            except Exception as exc:
                raise Unavailable(
                    f"blob store {space.url} is not usable: {type(exc).__name__}: {exc}",
                    field="blobs",
                ) from None

    # -- tenants and leftovers ------------------------------------------------------------

    def scoped(self, tenant: str) -> FsspecBlobStore:
        """A view on ``tenants/<tenant>/`` of every namespace (the roots for the default)."""
        view = copy.copy(self)
        view._tenant = check_tenant(tenant)
        spaces = self._tenant_spaces.get(view._tenant)
        if spaces is None:
            spaces = {
                ns: Space(f"{url}/{TENANTS}/{view._tenant}", self._options)
                for ns, url in self._urls.items()
            }
            with self._lock:
                spaces = self._tenant_spaces.setdefault(view._tenant, spaces)
        view._spaces = spaces
        return view

    def tenants(self) -> list[str]:
        found = {DEFAULT_TENANT}
        for space in self._root_spaces.values():
            found.update(leftovers.tenant_names(space))
        return sorted(found)

    def leftovers(self, older_than: datetime) -> list[Leftover]:
        """Data no manifest names and stale temporary manifests, in every tenant (the view's
        tenant does not matter: this is for ``avatar gc``)."""
        return [
            item
            for ns, space in self._root_spaces.items()
            for item in leftovers.find_leftovers(space, ns.value, older_than)
        ]

    def remove_leftover(self, item: Leftover) -> bool:
        try:
            namespace = Namespace(item.where)
        except ValueError:
            return False
        return leftovers.remove_leftover(self._root_spaces[namespace], item)

    # -- reading ---------------------------------------------------------------------------

    def stat(self, namespace: Namespace, name: str) -> BlobInfo:
        space, key, path = self._locate(namespace, name)
        return self._require(space, namespace, key, path).info

    def read(
        self, namespace: Namespace, name: str, start: int = 0, end: int | None = None
    ) -> Iterator[bytes]:
        """Bytes ``[start, end)`` in chunks; errors are raised by this call, not by ``next()``."""
        space, key, path = self._locate(namespace, name)
        for value in (start, end):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise Invalid("range bounds must be integers", field="range")
        for _attempt in range(3):  # an overwrite may delete the data we were about to open
            manifest = self._require(space, namespace, key, path)
            size = manifest.info.size
            if start < 0 or start > size:
                raise Invalid(f"range start {start} is outside 0..{size}", field="range")
            if end is not None and end < start:
                raise Invalid(f"range end {end} is before its start {start}", field="range")
            try:
                handle = self._open_blob(space, manifest.blob_id, key)
            except FileNotFoundError:
                continue
            return self._stream(handle, start, size if end is None else min(end, size))
        raise NotFound(f"no {Namespace(namespace).value} object named {key!r}", field="name")

    def list(
        self,
        namespace: Namespace,
        *,
        prefix: str = "",
        limit: int = 1000,
        cursor: str | None = None,
    ) -> list[BlobInfo]:
        space = self._space(namespace)
        return list_infos(space, Namespace(namespace), prefix=prefix, limit=limit, cursor=cursor)

    # -- writing ---------------------------------------------------------------------------

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
        space, key, path = self._locate(namespace, name)
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 0:
            raise Invalid(f"max_size must be an integer >= 0, got {max_size!r}", field="max_size")
        if not overwrite and self._load(space, namespace, key, path, strict=False) is not None:
            raise self._conflict(namespace, key)
        blob_id = new_blob_id()
        data_path = blob_path(space.root, blob_id)
        meter = Meter(chunks, max_size)
        self._write_blob(space, data_path, meter, key)
        try:
            info = BlobInfo(
                namespace=Namespace(namespace),
                name=key,
                size=meter.size,
                content_type=content_type_for(key, meter.head, content_type),
                checksum=meter.digest.hexdigest(),
                modified=utcnow(),
            )
            old = self._commit(space, path, Manifest(blob_id, info), overwrite)
        except BaseException:
            self._remove_blob(space, data_path)
            raise
        if old is not None and old.blob_id != blob_id:
            self._remove_blob(space, blob_path(space.root, old.blob_id))
        return info

    def delete(self, namespace: Namespace, name: str) -> bool:
        space, key, path = self._locate(namespace, name)
        with self._lock:
            old = self._load(space, namespace, key, path, strict=False)
            try:
                if space.local:
                    os.unlink(path)
                elif old is None and not space.fs.exists(path):
                    return False  # S3 deletes a missing key without complaint
                else:
                    space.fs.rm_file(path)
            except FileNotFoundError:
                return False
        if old is not None:
            self._remove_blob(space, blob_path(space.root, old.blob_id))
        if space.local:
            disk.remove_empty_parents(path, os.path.join(space.root, INDEX))
        return True

    # -- internals -------------------------------------------------------------------------

    def _space(self, namespace: Namespace | str) -> Space:
        try:
            return self._spaces[Namespace(namespace)]
        except ValueError:
            options = ", ".join(n.value for n in Namespace)
            raise Invalid(f"namespace must be one of {options}", field="namespace") from None

    def _locate(self, namespace: Namespace, name: str) -> tuple[Space, str, str]:
        """The namespace, the normalised name and its manifest path; ``Invalid`` if unsafe."""
        space = self._space(namespace)
        key = safe_blob_name(name)
        path = manifest_path(space.root, key)
        if space.local:
            space.ensure()
            disk.check_inside(space.root_real, path, key)
        return space, key, path

    @staticmethod
    def _conflict(namespace: Namespace, name: str) -> Conflict:
        return Conflict(
            f"{Namespace(namespace).value}/{name} already exists (overwrite it explicitly)",
            field="name",
        )

    def _load(
        self, space: Space, namespace: Namespace, name: str, path: str, *, strict: bool = True
    ) -> Manifest | None:
        """The manifest at ``path`` or ``None``; a corrupt one raises ``Unavailable`` when
        ``strict``, else counts as absent (so an overwrite can repair it)."""
        try:
            data = space.fs.cat_file(path)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        except OSError as exc:
            raise Unavailable(f"blob store {space.url} failed: {exc}", field="blobs") from None
        try:
            return Manifest.decode(Namespace(namespace), name, data)
        except CorruptManifest as exc:
            if strict:
                raise Unavailable(str(exc), field="name") from None
            return None

    def _require(self, space: Space, namespace: Namespace, name: str, path: str) -> Manifest:
        manifest = self._load(space, namespace, name, path)
        if manifest is None:
            raise NotFound(f"no {Namespace(namespace).value} object named {name!r}", field="name")
        return manifest

    def _open_blob(self, space: Space, blob_id: str, name: str) -> IO[bytes]:
        path = blob_path(space.root, blob_id)
        if space.local:
            disk.check_inside(space.root_real, path, name)
            return os.fdopen(disk.open_for_read(path), "rb", buffering=0)
        handle: IO[bytes] = space.fs.open(path, "rb", block_size=4 * self._read_chunk)
        return handle

    def _stream(self, handle: IO[bytes], start: int, stop: int) -> Iterator[bytes]:
        try:
            handle.seek(start)
            remaining = stop - start
            while remaining > 0:
                chunk = handle.read(min(self._read_chunk, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk
        finally:
            handle.close()

    def _write_blob(self, space: Space, path: str, chunks: Meter, name: str) -> None:
        """Write the data; any failure removes what was written (and aborts an S3 multipart
        upload) before re-raising."""
        if space.local:
            disk.check_inside(space.root_real, path, name)
            disk.write_new_file(path, chunks, fsync=self._fsync)
            return
        out = space.fs.open(path, "wb", block_size=self._part_size)
        try:
            for chunk in chunks:
                out.write(chunk)
            out.close()
        except BaseException:
            with contextlib.suppress(Exception):
                out.discard()
                out.closed = True  # its __del__ would otherwise try to finish the upload
            self._remove_blob(space, path)
            raise

    def _commit(
        self, space: Space, path: str, manifest: Manifest, overwrite: bool
    ) -> Manifest | None:
        """Publish ``manifest`` atomically; return the one it replaced."""
        data = manifest.encode()
        info = manifest.info
        with self._lock:
            old = self._load(space, info.namespace, info.name, path, strict=False)
            if old is not None and not overwrite:
                raise self._conflict(info.namespace, info.name)
            if not space.local:
                space.fs.pipe_file(path, data)
                return old
            try:
                tmp = os.path.join(space.root, TMP)
                disk.publish(tmp, path, data, overwrite=overwrite, fsync=self._fsync)
            except FileExistsError:  # another process created it meanwhile
                raise self._conflict(info.namespace, info.name) from None
        return old

    @staticmethod
    def _remove_blob(space: Space, path: str) -> None:
        with contextlib.suppress(Exception):
            if space.local:
                os.unlink(path)
                disk.remove_empty_parents(path, os.path.join(space.root, BLOBS))
            else:
                space.fs.rm_file(path)
