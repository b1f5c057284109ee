"""Listing a namespace of an fsspec blob store: manifests only (``fsspec_layout``), never the
data. Names come from the manifest files under the index folder of the prefix's folder, sorted,
then their manifests are read in pages; a name deleted meanwhile is left out and the next page
fills its place.
"""

from __future__ import annotations

import contextlib
import os
import unicodedata

from avatar_service.adapters.blobs import fsspec_disk as disk
from avatar_service.adapters.blobs.fsspec_layout import (
    INDEX,
    CorruptManifest,
    Manifest,
    manifest_path,
    name_of_manifest,
)
from avatar_service.adapters.blobs.fsspec_space import Space
from avatar_service.core.blobnames import safe_blob_name
from avatar_service.core.errors import Invalid
from avatar_service.core.records import BlobInfo, Namespace


def list_infos(
    space: Space, namespace: Namespace, *, prefix: str, limit: int, cursor: str | None
) -> list[BlobInfo]:
    """Up to ``limit`` objects of ``space`` whose names start with ``prefix`` and sort after
    ``cursor``, in name order (``BlobStore.list``'s contract)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise Invalid(f"limit must be a positive integer, got {limit!r}", field="limit")
    prefix = unicodedata.normalize("NFKC", prefix)
    after = None if cursor is None else unicodedata.normalize("NFKC", cursor)
    folder = prefix.rpartition("/")[0]
    index_root = f"{space.root}/{INDEX}"
    base = f"{index_root}/{safe_blob_name(folder)}" if folder else index_root
    names = sorted(
        name
        for name in (name_of_manifest(index_root, p) for p in find_files(space, base))
        if name is not None and name.startswith(prefix) and (after is None or name > after)
    )
    infos: list[BlobInfo] = []
    for offset in range(0, len(names), limit):  # a page may lose names deleted meanwhile
        infos += load_infos(space, Namespace(namespace), names[offset : offset + limit])
        if len(infos) >= limit:
            break
    return infos[:limit]


def load_infos(space: Space, namespace: Namespace, names: list[str]) -> list[BlobInfo]:
    """The objects named ``names``; a manifest missing, corrupt or outside the root is left out."""
    paths = {manifest_path(space.root, name): name for name in names}
    if space.local:
        found: dict[str, bytes] = {}
        for path in paths:
            with contextlib.suppress(OSError, Invalid):
                disk.check_inside(space.root_real, path, paths[path])
                found[path] = space.fs.cat_file(path)
    else:
        found = space.fs.cat(list(paths), on_error="omit") if paths else {}
    infos = []
    for path, name in paths.items():
        if path in found:
            with contextlib.suppress(CorruptManifest):
                infos.append(Manifest.decode(namespace, name, found[path]).info)
    return infos


def find_files(space: Space, base: str) -> list[str]:
    """Every file path under ``base``; on disk, symbolic links to folders are not followed."""
    if space.local:
        space.ensure()
        return [
            os.path.join(folder, file).replace(os.sep, "/")
            for folder, _dirs, files in os.walk(base)
            for file in files
        ]
    try:
        return [str(path) for path in space.fs.find(base)]
    except FileNotFoundError:
        return []
