"""Putting a Piper voice into the voices folder: from an http(s) URL or a local path of its
``*.onnx`` model (the ``*.onnx.json`` config comes from beside it), or by name from the Piper
voices repository (piper-tts' own downloader). Files appear whole or not at all, and a model
that does not hash to the sha256 it was given is refused and removed."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.error import URLError
from urllib.parse import unquote, urlsplit
from urllib.request import urlopen

from avatar_service.core.errors import Invalid, Unavailable

MAX_BYTES = 2 * 1024**3
"""Largest model or config accepted (Piper's largest voices are ~120 MB)."""
TIMEOUT = 60.0
_CHUNK = 1 << 20
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.onnx$")
_VOICE_NAME = re.compile(r"^[a-z]{2,3}_[A-Z]{2}-[A-Za-z0-9_]+-(x_low|low|medium|high)$")


def download_voice(
    source: str,
    folder: Path,
    *,
    sha256: str | None = None,
    gender: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> list[Path]:
    """Fetch the voice ``source`` names into ``folder``; its model and config paths.

    ``Invalid`` (field ``voice``) for a source that names no voice or a bad ``sha256``;
    ``Unavailable`` when it cannot be fetched, is over ``max_bytes``, or its model does not
    hash to ``sha256`` (nothing is left behind then). ``gender`` is recorded in the config.
    """
    if sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise Invalid("sha256 must be 64 hex digits", field="sha256")
    folder.mkdir(parents=True, exist_ok=True)
    if _VOICE_NAME.match(source):
        model, config = _by_name(source, folder)
        if sha256 is not None and _digest(model) != sha256.lower():
            model.unlink(missing_ok=True)
            config.unlink(missing_ok=True)
            raise Unavailable(f"refusing {model}: it does not hash to {sha256.lower()}")
    else:
        model_name = _model_name(source)
        model = folder / model_name
        config = folder / f"{model_name}.json"
        _fetch(source, model, max_bytes, sha256)
        try:
            _fetch(_config_source(source), config, max_bytes, None)
        except BaseException:
            model.unlink(missing_ok=True)
            raise
    if gender is not None:
        _record_gender(config, gender)
    return [model, config]


def _model_name(source: str) -> str:
    path = urlsplit(source).path if "://" in source else source
    name = unquote(Path(path).name)
    if not _SAFE_NAME.match(name):
        raise Invalid(
            f"{source!r} names no *.onnx model (a URL or path of one, or a voice name such as "
            "en_US-lessac-medium)",
            field="voice",
        )
    return name


def _config_source(source: str) -> str:
    if "://" in source:
        parts = urlsplit(source)
        return parts._replace(path=parts.path + ".json").geturl()
    return source + ".json"


def _chunks(source: str) -> Iterator[bytes]:
    """The bytes of ``source``: an http(s) URL or a local path (``file://`` too)."""
    scheme = urlsplit(source).scheme if "://" in source else ""
    if scheme in ("http", "https"):
        try:
            with urlopen(source, timeout=TIMEOUT) as response:
                while chunk := response.read(_CHUNK):
                    yield chunk
        except (URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Unavailable(f"cannot download {source}: {reason}") from exc
        return
    if scheme not in ("", "file"):
        raise Invalid(f"cannot fetch {scheme}:// URLs; use http(s) or a path", field="voice")
    path = Path(unquote(urlsplit(source).path) if scheme else source)
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                yield chunk
    except OSError as exc:
        raise Unavailable(f"cannot read {path}: {exc.strerror or exc}") from exc


def _fetch(source: str, target: Path, max_bytes: int, sha256: str | None) -> None:
    """``source`` written to ``target`` atomically, within ``max_bytes`` and, when given,
    hashing to ``sha256``."""
    digest = hashlib.sha256()
    size = 0
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in _chunks(source):
                size += len(chunk)
                if size > max_bytes:
                    raise Unavailable(f"{source} is over {max_bytes} bytes; refused")
                digest.update(chunk)
                out.write(chunk)
        if sha256 is not None and digest.hexdigest() != sha256.lower():
            raise Unavailable(
                f"refusing {source}: its sha256 is {digest.hexdigest()}, expected "
                f"{sha256.lower()} (a different or corrupted file)"
            )
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _by_name(name: str, folder: Path) -> tuple[Path, Path]:
    """``name`` fetched by piper-tts' downloader from the Piper voices repository."""
    from piper.download_voices import download_voice as piper_download

    try:
        piper_download(name, folder)
    except ValueError as exc:
        raise Invalid(str(exc), field="voice") from exc
    except (URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unavailable(
            f"cannot download Piper voice {name!r} (offline, or no such voice?): {reason}"
        ) from exc
    return folder / f"{name}.onnx", folder / f"{name}.onnx.json"


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _record_gender(config: Path, gender: str) -> None:
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Unavailable(f"cannot read the voice config {config}: {exc}") from exc
    if not isinstance(data, dict):
        raise Unavailable(f"the voice config {config} is not a JSON object")
    data["gender"] = gender
    config.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
