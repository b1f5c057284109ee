"""What a killed writer leaves in an fsspec blob store, found and removed (``avatar gc``).

A write streams its data to ``blobs/<id[:2]>/<id>`` and only then publishes a manifest
(``fsspec_layout``), so a process killed mid-write leaves a data file that no manifest names:
invisible to ``list`` and ``stat``, and so to the record-based orphan check. A manifest being
published sits in ``tmp/`` for a moment; a kill leaves it there. Both are found here, in the
namespace root and in every tenant's root below it (``tenants/<tenant>/``).
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
from collections.abc import Iterator
from datetime import UTC, datetime

from avatar_service.adapters.blobs.fsspec_layout import BLOBS, INDEX, MANIFEST_SUFFIX, TENANTS, TMP
from avatar_service.adapters.blobs.fsspec_space import Space
from avatar_service.core.ports import Leftover


def tenant_names(space: Space) -> list[str]:
    """The tenants with a root under ``space`` (folders of ``tenants/``)."""
    base = f"{space.root}/{TENANTS}"
    if space.local:
        with contextlib.suppress(OSError):
            return sorted(e.name for e in os.scandir(base) if e.is_dir(follow_symlinks=False))
        return []
    try:
        entries = space.fs.ls(base, detail=True)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(
        posixpath.basename(str(e["name"]).rstrip("/"))
        for e in entries
        if e.get("type") == "directory"
    )


def find_leftovers(space: Space, where: str, older_than: datetime) -> list[Leftover]:
    """Unreferenced data files and stale temporary manifests under ``space``, modified at or
    before ``older_than``; paths relative to the namespace root."""
    roots = [""] + [f"{TENANTS}/{tenant}/" for tenant in tenant_names(space)]
    found: list[Leftover] = []
    for root in roots:
        referenced = set(_referenced_blobs(space, root))
        for path in _files(space, f"{root}{BLOBS}"):
            if posixpath.basename(path) not in referenced:
                found += _if_old(space, where, path, older_than)
        for path in _files(space, f"{root}{TMP}"):
            found += _if_old(space, where, path, older_than)
    return sorted(found, key=lambda item: item.path)


def remove_leftover(space: Space, item: Leftover) -> bool:
    """Delete ``item`` if it is a file under a ``blobs/`` or ``tmp/`` folder of ``space``."""
    parts = item.path.split("/")
    if ".." in parts or "" in parts or not _in_leftover_area(parts):
        return False
    path = f"{space.root}/{item.path}"
    try:
        if space.local:
            os.unlink(path)
        else:
            space.fs.rm_file(path)
    except FileNotFoundError:
        return False
    return True


def _in_leftover_area(parts: list[str]) -> bool:
    if parts[0] == TENANTS and len(parts) > 3:
        parts = parts[2:]
    return parts[0] in (BLOBS, TMP) and len(parts) > 1


def _referenced_blobs(space: Space, root: str) -> Iterator[str]:
    """The data ids the manifests under ``root`` name (an unreadable manifest names none)."""
    for path in _files(space, f"{root}{INDEX}"):
        if not path.endswith(MANIFEST_SUFFIX):
            continue
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            yield str(json.loads(space.fs.cat_file(f"{space.root}/{path}"))["blob"])


def _files(space: Space, folder: str) -> Iterator[str]:
    """Every file under ``folder`` (relative to the root), as a relative path."""
    base = f"{space.root}/{folder}"
    if space.local:
        for directory, _dirs, files in os.walk(base):
            for name in files:
                full = os.path.join(directory, name).replace(os.sep, "/")
                yield full[len(space.root) + 1 :]
        return
    try:
        paths = space.fs.find(base)
    except FileNotFoundError:
        return
    for path in paths:
        yield str(path)[len(space.root) + 1 :]


def _if_old(space: Space, where: str, path: str, older_than: datetime) -> list[Leftover]:
    full = f"{space.root}/{path}"
    try:
        if space.local:
            stat = os.stat(full, follow_symlinks=False)
            size, modified = stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)
        else:
            info = space.fs.info(full)
            size = int(info.get("size") or 0)
            stamp = info.get("LastModified") or info.get("mtime") or info.get("created")
            if isinstance(stamp, int | float):
                modified = datetime.fromtimestamp(stamp, UTC)
            elif isinstance(stamp, datetime):
                modified = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
            else:
                return []  # no known age: never taken for a leftover
    except FileNotFoundError:
        return []
    if modified > older_than:
        return []
    return [Leftover(where, path, size, modified)]
