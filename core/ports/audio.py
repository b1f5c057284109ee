"""The audio codec port: recordings to samples, stored WAV to other containers.

Entrypoints hand uploaded bytes to it and never decode audio themselves. Like every port it
is synchronous and safe to call from several threads at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from avatar_service.core.speech import FloatArray


@runtime_checkable
class AudioCodec(Protocol):
    def decode(self, data: bytes, max_seconds: float) -> tuple[FloatArray, int]:
        """Mono float32 samples (channels averaged) and their sample rate, from any
        recording's bytes (WAV, FLAC, OGG at their own rate; MP3 and other formats at a rate
        the codec picks). ``Invalid`` (field ``audio``) for an empty file, one that is not
        audio or holds no samples, or one at a rate outside ``core.audio``'s
        ``MIN_SAMPLE_RATE``-``MAX_SAMPLE_RATE``; ``TooLarge`` (field ``audio``) past
        ``max_seconds``; ``Unavailable`` when a format needs a tool that is missing."""
        ...

    def media_type(self, fmt: str) -> str:
        """The media type of the container ``fmt`` (``wav``, ``mp3``, ``ogg``); ``Invalid``
        (field ``format``) for any other."""
        ...

    def transcode_wav(self, wav: bytes, fmt: str) -> bytes:
        """``wav`` re-encoded as ``fmt`` (``wav``: unchanged). ``Invalid`` for an unknown
        format, ``Unavailable`` when the encoder is missing or fails, ``TimedOut`` when it
        takes too long."""
        ...
