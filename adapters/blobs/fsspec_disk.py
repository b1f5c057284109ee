"""Local-disk specifics of the fsspec blob store: durable writes, atomic publication, and
refusing paths that a symbolic link leads out of the store's root."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable
from io import FileIO
from pathlib import Path

from avatar_service.core.errors import InsufficientStorage, Invalid

WRITE_BUFFER = 1024 * 1024
"""Small chunks are gathered up to this many bytes before a write."""
DIRECT_WRITE = 64 * 1024
"""Chunks at least this big are written straight away (an upload's pieces are ~64-256 KiB)."""
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def check_inside(root_real: str, path: str, name: str) -> None:
    """Raise ``Invalid`` unless ``path``, with every symbolic link resolved, is under
    ``root_real`` (the root, already resolved)."""
    real = os.path.realpath(path)
    if real != root_real and not real.startswith(root_real + os.sep):
        raise Invalid(
            f"unsafe blob name {name!r}: a symbolic link leads outside the store", field="name"
        )


def write_new_file(path: str, chunks: Iterable[bytes], *, fsync: bool) -> None:
    """Create ``path`` (which must not exist, nor be a link) with ``chunks``; on any failure
    the file is removed and the error re-raised. Chunks of ``DIRECT_WRITE`` bytes or more go
    to the kernel as they are (no copy through a buffer); smaller ones are gathered first."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    try:
        with os.fdopen(fd, "wb", buffering=0) as out:
            pending = bytearray()
            for chunk in chunks:
                if len(chunk) < DIRECT_WRITE:
                    pending += chunk
                    if len(pending) >= WRITE_BUFFER:
                        _write_all(out, pending)
                        pending = bytearray()
                    continue
                if pending:
                    _write_all(out, pending)
                    pending = bytearray()
                _write_all(out, chunk)
            _write_all(out, pending)
            if fsync:
                os.fsync(out.fileno())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)
        if isinstance(exc, OSError) and exc.errno in _NO_SPACE:
            raise InsufficientStorage(
                f"the blob store at {os.path.dirname(path)} is out of space: {exc.strerror}",
                retry_after=60,
            ) from None
        raise


def _write_all(out: FileIO, data: bytes | bytearray) -> None:
    view = memoryview(data)
    while view:
        written = out.write(view)
        if not written:
            raise OSError(f"the disk accepted no bytes of a write to {out.name!r}")
        view = view[written:]


def publish(tmp_dir: str, final: str, data: bytes, *, overwrite: bool, fsync: bool) -> None:
    """Make ``final`` hold ``data`` in one atomic step: written under ``tmp_dir`` first, then
    renamed (``overwrite``) or hard-linked (``FileExistsError`` if ``final`` exists, even
    against another process)."""
    os.makedirs(tmp_dir, exist_ok=True)
    tmp = os.path.join(tmp_dir, f"{os.getpid()}-{id(data):x}-{os.urandom(6).hex()}.tmp")
    write_new_file(tmp, [data], fsync=fsync)
    try:
        os.makedirs(os.path.dirname(final), exist_ok=True)
        if overwrite:
            os.replace(tmp, final)
        else:
            os.link(tmp, final)
        if fsync:
            sync_dir(os.path.dirname(final))
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def sync_dir(path: str) -> None:
    """Persist a directory entry change (a rename) across a power loss, where supported."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_empty_parents(path: str, stop: str) -> None:
    """Remove the now-empty folders above ``path`` up to (not including) ``stop``."""
    parent = Path(path).parent
    while str(parent).startswith(stop + os.sep):
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


def open_for_read(path: str) -> int:
    """An fd for ``path``, refusing a final symbolic link (``OSError`` when absent)."""
    return os.open(path, os.O_RDONLY | _NOFOLLOW)
