"""Timing ports: alignment of audio to a known transcript, and phone recognition from audio alone
(whole recordings and live streams)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from avatar_service.core.recognition import HeardPhones, TranscriptHint
from avatar_service.core.speech import Alignment

if TYPE_CHECKING:
    from avatar_service.core.speech import FloatArray


@runtime_checkable
class Aligner(Protocol):
    """Timings for audio that came without them.

    ``align(samples, sample_rate, text, voice_id)`` returns phonemes and words ordered,
    non-overlapping and inside ``[0, len(samples) / sample_rate]``; words in text order with
    char offsets into ``text``. Empty audio, empty text or a non-positive rate raise
    ``Invalid``; a transcript that cannot match the audio raises ``Invalid`` (field ``text``).
    """

    def align(
        self, samples: FloatArray, sample_rate: int, text: str, voice_id: str | None = None
    ) -> Alignment: ...

    def check(self) -> None: ...


@runtime_checkable
class PhoneRecognizer(Protocol):
    """Phones with times from audio alone, for recordings that come without timings.

    - ``languages()`` names the languages covered (primary subtags such as ``en``); non-empty.
    - ``recognize(samples, sample_rate, hint)`` returns an ``Alignment`` whose phonemes (IPA,
      no silence symbols) are ordered, non-overlapping, at least 1 ms long and inside
      ``[0, len(samples) / sample_rate]``; silence and sounds that are not speech give no
      phoneme. Without ``hint`` ``words`` is empty; with one, ``words`` has exactly one entry
      per word of ``hint.text`` (``core.words.text_words``) in order, with char offsets into
      it, and every phoneme's ``word_index`` points into ``words`` (or is ``None``).
      ``heard`` is set whenever the phonemes are the recogniser's own: always without a hint,
      and with one that was not followed (it did not fit the audio, or nothing was heard);
      lip sync then treats them as heard phones, not a transcript's.
    - Any sample rate is accepted. Empty audio raises ``Invalid`` (field ``audio``), a
      non-positive rate ``Invalid`` (field ``sample_rate``), a hint with no word ``Invalid``
      (field ``text``). The same input gives the same output every time.
    """

    def languages(self) -> frozenset[str]: ...

    def recognize(
        self, samples: FloatArray, sample_rate: int, hint: TranscriptHint | None = None
    ) -> Alignment: ...

    def check(self) -> None: ...


@runtime_checkable
class PhoneStream(Protocol):
    """One live audio stream being recognised (from ``StreamingRecognizer.open_stream``).

    ``feed(samples)`` adds audio (mono float32 at the stream's rate) and returns a
    ``HeardPhones``: the current best phones from its ``since`` on (times in seconds from the
    stream's start, ordered, each starting at or after ``since``, inside the audio fed so
    far). ``since`` never decreases; the phones of the previous result that start before the
    new ``since`` are final, and the rest are replaced by the new result's. The newest phones
    may still change as audio comes. A phone still sounding ends at the end of the audio fed.
    A stream that moves ``since`` along keeps each call's cost from growing with the stream's
    length. ``close()`` releases it (twice is fine).
    """

    def feed(self, samples: FloatArray) -> HeardPhones: ...

    def close(self) -> None: ...


@runtime_checkable
class StreamingRecognizer(Protocol):
    """Optional ``PhoneRecognizer`` capability: live recognition. ``open_stream(rate)`` returns
    a new ``PhoneStream`` (streams are independent; each is used by one thread at a time); a
    non-positive rate raises ``Invalid`` (field ``sample_rate``)."""

    def open_stream(self, sample_rate: int) -> PhoneStream: ...
