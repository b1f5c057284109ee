"""The audio codec: libsndfile reads WAV, FLAC and OGG; ffmpeg (``FFMPEG_PATH``, else the
imageio-ffmpeg wheel's binary, else ``ffmpeg`` on ``PATH``) reads the rest (MP3, ...) and
encodes MP3 and OGG/Opus."""

from __future__ import annotations

from typing import TYPE_CHECKING

from avatar_service.core.audio import check_sample_rate
from avatar_service.core.errors import Invalid, TooLarge
from avatar_service.core.ports.audio import AudioCodec

if TYPE_CHECKING:
    from pathlib import Path

    from avatar_service.core.speech import FloatArray

FFMPEG_RATE = 16000
"""Rate of audio decoded by ffmpeg (what the recogniser works at)."""
LIBSNDFILE_MAGIC = (b"RIFF", b"RF64", b"fLaC", b"OggS")
"""How WAV, FLAC and OGG files start: only these go to libsndfile first (it also opens some
MP3 files, but returns only their first frames)."""


class FileAudioCodec(AudioCodec):
    """libsndfile first, ffmpeg for what it cannot read or write; ``temp_dir`` holds MP3s
    while ffmpeg writes them (default: the system's temporary folder)."""

    def __init__(self, ffmpeg_path: str | None = None, temp_dir: Path | None = None) -> None:
        self.ffmpeg_path = ffmpeg_path
        self.temp_dir = temp_dir

    def read(self, data: bytes, max_seconds: float | None = None) -> tuple[FloatArray, int]:
        """A WAV, FLAC or OGG file by libsndfile, at its own rate (``decode``'s first try)."""
        from avatar_service.adapters.audio.files import read_audio

        return read_audio(data, max_seconds)

    def decode(self, data: bytes, max_seconds: float) -> tuple[FloatArray, int]:
        if not data or data.startswith(LIBSNDFILE_MAGIC):
            try:
                samples, rate = self.read(data, max_seconds)
            except Invalid:
                if not data:
                    raise
            else:
                # refused here: ffmpeg would resample such a file as if it were sound
                check_sample_rate(rate, "audio")
                return samples, rate
        import numpy as np

        from avatar_service.adapters.audio.ffmpeg import decode_to_pcm

        pcm = decode_to_pcm(data, FFMPEG_RATE, self.ffmpeg_path)
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0
        seconds = len(samples) / FFMPEG_RATE
        if seconds > max_seconds:
            raise TooLarge(
                f"the audio lasts {seconds:.1f} s; the limit is {max_seconds:g} s", field="audio"
            )
        return samples, FFMPEG_RATE

    def media_type(self, fmt: str) -> str:
        from avatar_service.adapters.audio.ffmpeg import content_type

        return content_type(fmt)

    def transcode_wav(self, wav: bytes, fmt: str) -> bytes:
        from avatar_service.adapters.audio.ffmpeg import transcode_wav

        return transcode_wav(wav, fmt, self.ffmpeg_path, self.temp_dir)
