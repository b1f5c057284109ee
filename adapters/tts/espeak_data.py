"""An espeak-ng data folder whose voices speak the same way on every call.

espeak-ng adds "flutter" to the pitch: a slow wobble read from a table at a position that lives
in the library (a static in its wave generator), advances with every 64 voiced samples and is
never reset, so each call starts where the previous one stopped. Voiced sounds end at the end
of a pitch period, so the same text comes out a few to a few hundred samples longer or shorter
from call to call, with every phoneme boundary after the first voiced sound moved; an
alignment against that speech changes from call to call.

Its "roughness" (every second pitch period 1/16 quieter, counted by another static that
carries over) likewise makes the samples of one text alternate between two versions.

A voice variant with ``flutter 0`` and ``roughness 8`` (off) removes both and nothing else:
intonation, timbre and timing rules stay. The library reads variants only from
``<data>/voices/!v``, so this builds a private copy of the data folder out of symbolic links to
the original (nothing is copied or written there) plus that variant, named
``STEADY_VARIANT``. The copy is kept in the user's cache folder (``$XDG_CACHE_HOME/
avatar-service/espeak-steady``), one per data folder, so each process does not make its
hundreds of links again; a temporary one, removed at exit, when that folder is not writable.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

STEADY_VARIANT = "avatar-steady"
# A build still being made by another process is incomplete too: leave it this long.
_BUILD_GRACE_SECONDS = 600.0
_VARIANT_FILE = f"language variant\nname {STEADY_VARIANT}\nflutter 0\nroughness 8\n"


def steady_data_folder(data_path: str) -> str | None:
    """A data folder mirroring ``data_path`` (``espeak-ng-data``) with the steady variant
    added: the cached one, else a temporary one removed when the process exits; ``None`` when
    ``data_path`` has no ``voices`` folder or the links cannot be made (the caller then uses
    ``data_path``)."""
    source = Path(data_path)
    if not (source / "voices").is_dir():
        return None
    cached = _cached_mirror(source)
    if cached is not None:
        return str(cached)
    holder = Path(tempfile.mkdtemp(prefix="avatar-espeak-"))
    atexit.register(shutil.rmtree, holder, ignore_errors=True)
    root = holder / "espeak-ng-data"
    try:
        _build(source, root)
    except OSError:
        shutil.rmtree(holder, ignore_errors=True)
        return None
    return str(root)


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "avatar-service" / "espeak-steady"


def _cached_mirror(source: Path) -> Path | None:
    """The mirror of ``source`` in ``cache_folder()``, made now unless one is there with every
    link resolving; ``None`` when the cache cannot be written.

    Other processes may be making or using one at the same moment, so a mirror is never
    changed or removed once handed out: each is built in a folder of its own, and the cache
    entry ``<key>`` is a symbolic link switched to a finished one in a single rename. The
    path returned is the build itself, so a later switch does not move it under its user.
    Builds whose links no longer lead anywhere are useless to everyone and are removed."""
    resolved = source.resolve()
    stamp = f"{resolved}|{(resolved / 'voices' / '!v').stat().st_mtime_ns}|{_VARIANT_FILE}"
    key = hashlib.sha256(stamp.encode()).hexdigest()[:24]
    entry = cache_folder() / key
    if _complete(entry / "espeak-ng-data"):
        return (entry / "espeak-ng-data").resolve()
    try:
        cache_folder().mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache_folder()))
    except OSError:
        return None
    try:
        _build(source, building / "espeak-ng-data")
        if _complete(entry / "espeak-ng-data"):  # another process finished first
            shutil.rmtree(building, ignore_errors=True)
        else:
            _point(entry, building)
    except OSError:
        shutil.rmtree(building, ignore_errors=True)
    _remove_broken_builds(key)
    return (entry / "espeak-ng-data").resolve() if _complete(entry / "espeak-ng-data") else None


def _point(entry: Path, build: Path) -> None:
    """Switch the link ``entry`` to ``build`` in one rename (a folder left there by an older
    release is moved aside first, as it may be in use)."""
    if entry.is_dir() and not entry.is_symlink():
        entry.rename(entry.with_name(f".{entry.name}-{build.name}-old"))
    link = entry.with_name(f"{build.name}-link")
    link.symlink_to(build.name)
    os.replace(link, entry)


def _remove_broken_builds(key: str) -> None:
    for build in cache_folder().glob(f".{key}-*"):
        if build.is_symlink() or not build.is_dir() or _complete(build / "espeak-ng-data"):
            continue
        if _age_seconds(build) > _BUILD_GRACE_SECONDS:
            shutil.rmtree(build, ignore_errors=True)


def _age_seconds(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _complete(root: Path) -> bool:
    """Whether ``root`` is a finished mirror whose links all lead somewhere."""
    variant = root / "voices" / "!v" / STEADY_VARIANT
    try:
        if variant.read_text(encoding="utf-8") != _VARIANT_FILE:
            return False
        folders = (root, root / "voices", root / "voices" / "!v")
        return all(entry.exists() for folder in folders for entry in folder.iterdir())
    except OSError:
        return False


def _build(source: Path, root: Path) -> None:
    _mirror(source, root, "voices")
    _mirror(source / "voices", root / "voices", "!v")
    _mirror(source / "voices" / "!v", root / "voices" / "!v", None)
    (root / "voices" / "!v" / STEADY_VARIANT).write_text(_VARIANT_FILE, encoding="utf-8")


def _mirror(source: Path, target: Path, except_name: str | None) -> None:
    """``target`` as a folder of links to every entry of ``source`` but ``except_name``."""
    target.mkdir()
    if not source.is_dir():
        return
    for entry in source.iterdir():
        if entry.name != except_name:
            (target / entry.name).symlink_to(entry.resolve())
