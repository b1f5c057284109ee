"""Piper voice model files: where they come from, their integrity, and the alignment patch.

A ``VoiceModel`` is an ``*.onnx`` file with its ``*.onnx.json`` config, maybe with the sha256
its publisher recorded. ``verified`` refuses a model whose bytes do not hash to it.
``prepared`` gives the model to load with exact timings: the model with its duration tensor
(``w_ceil``) marked as an output, by piper-tts' own ``add_alignment_output``, and its random
normal noise drawn from a seed (``piper_noise``), written once to the cache folder under a key
of the model's sha256 and the patch's version (never patched again on the next start), or the
model itself when it cannot be patched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from avatar_service.core.errors import Unavailable

PATCH_FORMAT = "align1-seed1"
"""Changes whenever the patch itself changes, so older cached models are not reused."""
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class VoiceModel:
    """A Piper voice's files. ``sha256`` (lowercase hex), when known, is what the model file
    must hash to; ``source`` says where it was found (a package, ``PIPER_MODEL_PATH``, the
    voices folder); ``gender`` (``female``/``male``), when known, overrides the config's own
    ``gender`` key (Piper configs have none by default)."""

    model: Path
    config: Path
    sha256: str | None = None
    source: str = "voices folder"
    gender: str | None = None

    @property
    def voice_id(self) -> str:
        return self.model.name.removesuffix(".onnx")


@dataclass(frozen=True, slots=True)
class PreparedModel:
    """The file to load and whether it reports durations (``exact``)."""

    path: Path
    exact: bool


_digests: dict[tuple[str, str], str] = {}
_digest_lock = threading.Lock()


DIGESTS_FILE = "digests.json"
"""In the patched-model cache: sha256 of each model file already hashed, by its identity."""


def _identity(path: Path) -> tuple[str, str]:
    """The file and a key that changes whenever its content may have: size, inode, and the
    modification and status-change times (a write moves both; the status-change time cannot
    be set back from user space)."""
    stat = path.stat()
    resolved = str(path.resolve())
    return resolved, f"{stat.st_size}:{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_ctime_ns}"


def file_sha256(path: Path, memo_dir: Path | None = None) -> str:
    """The file's sha256, remembered per file identity for this process and, with
    ``memo_dir``, across processes (in ``memo_dir/digests.json``; the folder is as trusted as
    the patched models kept beside it)."""
    resolved, identity = _identity(path)
    key = (resolved, identity)
    with _digest_lock:
        known = _digests.get(key) or _remembered(memo_dir, resolved, identity)
    if known is not None:
        _digests[key] = known
        return known
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    hexdigest = digest.hexdigest()
    with _digest_lock:
        _digests[key] = hexdigest
        _remember(memo_dir, resolved, identity, hexdigest)
    return hexdigest


def _remembered(memo_dir: Path | None, resolved: str, identity: str) -> str | None:
    if memo_dir is None:
        return None
    try:
        entry = json.loads((memo_dir / DIGESTS_FILE).read_text(encoding="utf-8")).get(resolved)
    except (OSError, ValueError, AttributeError):
        return None
    if isinstance(entry, dict) and entry.get("identity") == identity:
        digest = entry.get("sha256")
        return digest if isinstance(digest, str) else None
    return None


def _remember(memo_dir: Path | None, resolved: str, identity: str, digest: str) -> None:
    if memo_dir is None or not memo_dir.is_dir():  # the folder comes with the first patch
        return
    memo = memo_dir / DIGESTS_FILE
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
        known = known if isinstance(known, dict) else {}
    except (OSError, ValueError):
        known = {}
    known[resolved] = {"identity": identity, "sha256": digest}
    with contextlib.suppress(OSError):  # a read-only cache: hashed again next time
        _write_atomically(memo, json.dumps(known, sort_keys=True).encode())


def verified(voice: VoiceModel, memo_dir: Path | None = None) -> str:
    """The model's sha256 (remembered in ``memo_dir``, see ``file_sha256``); ``Unavailable``
    naming the file when it differs from the recorded one (a swapped or corrupted model is
    never loaded) or cannot be read."""
    try:
        actual = file_sha256(voice.model, memo_dir)
    except OSError as exc:
        raise Unavailable(f"cannot read Piper model {voice.model}: {exc}") from exc
    if voice.sha256 is not None and actual != voice.sha256.lower():
        raise Unavailable(
            f"refusing Piper model {voice.model}: its sha256 is {actual}, but {voice.source} "
            f"recorded {voice.sha256.lower()} (the file was changed or corrupted; reinstall it)"
        )
    return actual


def _piper_version() -> str:
    try:
        return version("piper-tts")
    except PackageNotFoundError:
        return "unknown"


def cache_key(sha256: str) -> str:
    """Key of a patched model: the original's hash, the patch format and piper-tts' version."""
    return f"{sha256[:32]}-{PATCH_FORMAT}-piper{_piper_version()}"


def prepared(voice: VoiceModel, sha256: str, cache_dir: Path | None) -> PreparedModel:
    """The model to load for ``voice`` (hashing to ``sha256``): the cached patched copy,
    made now if missing; the model itself (not exact) when it cannot be patched, when the
    ``onnx`` package is missing, or when there is no cache folder (patched in memory then,
    see ``patched_bytes``)."""
    if cache_dir is None:
        return PreparedModel(voice.model, False)
    key = cache_key(sha256)
    patched = cache_dir / f"{key}.onnx"
    refused = cache_dir / f"{key}.unpatchable"
    if patched.is_file():
        return PreparedModel(patched, True)
    if refused.is_file():
        return PreparedModel(voice.model, False)
    data = patched_bytes(voice.model)
    cache_dir.mkdir(parents=True, exist_ok=True)
    if data is None:
        refused.write_text("this model has no duration tensor to expose\n", encoding="utf-8")
        return PreparedModel(voice.model, False)
    _write_atomically(patched, data)
    return PreparedModel(patched, True)


def patched_bytes(model: Path) -> bytes | None:
    """The model with its durations exposed, serialised; ``None`` when it has none to
    expose (no single ``Ceil`` tensor) or the ``onnx`` package is missing."""
    try:
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output
    except ImportError:
        return None
    from avatar_service.adapters.tts.piper_noise import seed_noise

    loaded = onnx.load(str(model))
    try:
        add_alignment_output(loaded)
    except ValueError as exc:
        if "already marked" not in str(exc):
            return None
    seed_noise(loaded)
    data: bytes = loaded.SerializeToString()
    return data


def _write_atomically(path: Path, data: bytes) -> None:
    """``path`` appears whole or not at all (two processes may race: the last rename wins,
    and both wrote the same bytes)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
