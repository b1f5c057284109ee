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
``STEADY_VARIANT``.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

STEADY_VARIANT = "avatar-steady"
_VARIANT_FILE = f"language variant\nname {STEADY_VARIANT}\nflutter 0\nroughness 8\n"


def steady_data_folder(data_path: str) -> str | None:
    """A temporary data folder mirroring ``data_path`` (``espeak-ng-data``) with the steady
    variant added, removed when the process exits; ``None`` when ``data_path`` has no
    ``voices`` folder or the links cannot be made (the caller then uses ``data_path``)."""
    source = Path(data_path)
    if not (source / "voices").is_dir():
        return None
    holder = Path(tempfile.mkdtemp(prefix="avatar-espeak-"))
    atexit.register(shutil.rmtree, holder, ignore_errors=True)
    root = holder / "espeak-ng-data"
    try:
        _mirror(source, root, "voices")
        _mirror(source / "voices", root / "voices", "!v")
        _mirror(source / "voices" / "!v", root / "voices" / "!v", None)
        (root / "voices" / "!v" / STEADY_VARIANT).write_text(_VARIANT_FILE, encoding="utf-8")
    except OSError:
        shutil.rmtree(holder, ignore_errors=True)
        return None
    return str(root)


def _mirror(source: Path, target: Path, except_name: str | None) -> None:
    """``target`` as a folder of links to every entry of ``source`` but ``except_name``."""
    target.mkdir()
    if not source.is_dir():
        return
    for entry in source.iterdir():
        if entry.name != except_name:
            (target / entry.name).symlink_to(entry.resolve())
