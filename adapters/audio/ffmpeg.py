"""Speech audio in other containers: WAV to MP3 or OGG/Opus with ffmpeg (``FFMPEG_PATH``, else
the imageio-ffmpeg wheel's binary, else ``ffmpeg`` on ``PATH``). Input goes through a pipe;
MP3 output goes through a temporary file (below), the rest through a pipe."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from avatar_service.core.errors import Invalid, TimedOut, Unavailable

FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "wav": ("audio/wav", ()),
    "mp3": ("audio/mpeg", ("-codec:a", "libmp3lame", "-q:a", "4", "-f", "mp3")),
    # Opus runs at 48 kHz (it refuses 22.05 kHz): resample on the way.
    "ogg": ("audio/ogg", ("-codec:a", "libopus", "-b:a", "48k", "-ar", "48000", "-f", "ogg")),
}
TIMEOUT_SECONDS = 60.0
SEEKABLE_OUTPUT = frozenset({"mp3"})
"""Formats written to a file, not a pipe: ffmpeg writes an MP3's LAME header, which tells
decoders the encoder's delay (1105 samples) to skip, only into a seekable output; from a pipe
the speech would start 50 ms later than its timings say."""
TEMP_PREFIX = "avatar-audio-"
"""Temporary files start with ``avatar-`` so that ``avatar gc`` finds any a killed process left."""


def content_type(fmt: str) -> str:
    """The media type of ``fmt``; ``Invalid`` (field ``format``) for one not in ``FORMATS``."""
    if fmt not in FORMATS:
        raise Invalid(
            f"unknown audio format {fmt!r}; choose one of {', '.join(FORMATS)}", field="format"
        )
    return FORMATS[fmt][0]


def locate_ffmpeg(explicit: str | None = None) -> str | None:
    if explicit:
        return shutil.which(explicit)
    try:
        path: str | None = str(importlib.import_module("imageio_ffmpeg").get_ffmpeg_exe())
    except (ImportError, RuntimeError, OSError):
        path = None
    return path if path and shutil.which(path) else shutil.which("ffmpeg")


def transcode_wav(
    wav: bytes, fmt: str, ffmpeg_path: str | None = None, temp_dir: Path | None = None
) -> bytes:
    """``wav`` re-encoded as ``fmt`` (``wav`` returns it unchanged), starting where ``wav``
    starts. ``temp_dir`` holds the MP3 while it is written (default: the system's temporary
    folder). ``Unavailable`` when ffmpeg is missing or fails, ``TimedOut`` past
    ``TIMEOUT_SECONDS``."""
    content_type(fmt)
    if fmt == "wav":
        return wav
    ffmpeg = locate_ffmpeg(ffmpeg_path)
    if ffmpeg is None:
        raise Unavailable(
            "ffmpeg is needed to convert audio: pip install imageio-ffmpeg, install ffmpeg, "
            "or set FFMPEG_PATH"
        )
    command = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "pipe:0"]
    command += FORMATS[fmt][1]
    if fmt not in SEEKABLE_OUTPUT:
        return _run_encoder([*command, "pipe:1"], wav, fmt, None)
    if temp_dir is not None:
        temp_dir.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=f".{fmt}", dir=temp_dir)
    os.close(handle)
    output = Path(name)
    try:
        return _run_encoder([*command, "-y", str(output)], wav, fmt, output)
    finally:
        output.unlink(missing_ok=True)


def _run_encoder(command: list[str], wav: bytes, fmt: str, output: Path | None) -> bytes:
    """What ``command`` writes to ``output`` (``None``: its standard output)."""
    try:
        done = subprocess.run(
            command, input=wav, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise TimedOut(f"converting audio to {fmt} took over {TIMEOUT_SECONDS:g} s") from None
    except OSError as exc:
        raise Unavailable(f"cannot run ffmpeg at {command[0]}: {exc}") from exc
    body = done.stdout if output is None else output.read_bytes()
    if done.returncode != 0 or not body:
        error = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise Unavailable(f"ffmpeg could not convert audio to {fmt}: {error[-1] if error else ''}")
    return body


def decode_to_pcm(data: bytes, sample_rate: int, ffmpeg_path: str | None = None) -> bytes:
    """Any audio ffmpeg reads (MP3, AAC, ...) as mono signed 16-bit little-endian PCM at
    ``sample_rate``. ``Invalid`` (field ``audio``) when ffmpeg finds no audio in ``data``,
    ``Unavailable`` when ffmpeg is missing, ``TimedOut`` past ``TIMEOUT_SECONDS``."""
    ffmpeg = locate_ffmpeg(ffmpeg_path)
    if ffmpeg is None:
        raise Unavailable(
            "ffmpeg is needed to read this audio: pip install imageio-ffmpeg, install ffmpeg, "
            "or set FFMPEG_PATH"
        )
    command = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "pipe:0", "-vn"]
    command += ["-ac", "1", "-ar", str(sample_rate), "-f", "s16le", "pipe:1"]
    try:
        done = subprocess.run(
            command, input=data, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise TimedOut(f"reading the audio took over {TIMEOUT_SECONDS:g} s") from None
    except OSError as exc:
        raise Unavailable(f"cannot run ffmpeg at {ffmpeg}: {exc}") from exc
    if done.returncode != 0 or len(done.stdout) < 2:
        raise Invalid("not a readable audio file; send WAV, FLAC, OGG or MP3", field="audio")
    return done.stdout
