"""Speech domain types: voices, synthesis options, timed phonemes and words, viseme cues."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from avatar_service.core.errors import Invalid

if TYPE_CHECKING:
    from typing import TypeAlias

    import numpy as np
    import numpy.typing as npt

    from avatar_service.core.curves import Curves

    FloatArray: TypeAlias = npt.NDArray[np.float32]
else:

    def __getattr__(name: str) -> Any:
        """``FloatArray`` is made on first use, so importing these types does not import numpy
        (the command line lists its commands without it)."""
        if name != "FloatArray":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        import numpy as np
        import numpy.typing as npt

        alias = npt.NDArray[np.float32]
        globals()["FloatArray"] = alias
        return alias


@dataclass(frozen=True, slots=True)
class Voice:
    """A voice an engine offers. ``voice_id`` is what requests name. ``gender`` is ``female``,
    ``male`` or ``None`` (unknown); ``neural`` voices sound natural, the others are formant
    synthesis; ``quality`` is the engine's own grade (Piper's ``x_low`` .. ``high``,
    ``formant``); ``timing`` is ``exact`` when the engine reports its own durations, else
    ``aligned`` (the aligner times the audio)."""

    voice_id: str
    name: str
    language: str
    engine: str
    sample_rate: int
    gender: str | None = None
    speakers: int = 1
    neural: bool = False
    quality: str | None = None
    timing: str = "aligned"


@dataclass(frozen=True, slots=True)
class SynthesisOptions:
    """Engine-neutral knobs. ``rate`` and ``pitch`` are multipliers (1.0 = the voice's own).
    ``seed`` fixes an engine's random choices: the same text, voice, options and seed give
    bit-identical audio and timings (engines without randomness ignore it)."""

    rate: float = 1.0
    pitch: float = 1.0
    volume: float = 1.0
    speaker_id: int | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        for name, low, high in (("rate", 0.25, 4.0), ("pitch", 0.25, 4.0), ("volume", 0.0, 2.0)):
            value = getattr(self, name)
            if not low <= value <= high:
                raise Invalid(f"{name} must be between {low} and {high}", field=name)
        if self.speaker_id is not None and self.speaker_id < 0:
            raise Invalid("speaker_id must be >= 0", field="speaker_id")
        if self.seed is not None and not 0 <= self.seed < 2**31:
            raise Invalid("seed must be between 0 and 2147483647", field="seed")


@dataclass(frozen=True, slots=True)
class TimedPhoneme:
    """One phoneme: IPA ``symbol`` (stress marks removed, see ``stress``), seconds from start,
    and ``word_index``: the index of its word in the alignment's words (``None``: a pause
    between words, or an engine that does not say)."""

    symbol: str
    start: float
    end: float
    arpabet: str | None = None
    stress: int = 0
    word_index: int | None = None


@dataclass(frozen=True, slots=True)
class TimedWord:
    """One word, its time span, and its ``[char_start, char_end)`` offsets in the input text."""

    text: str
    start: float
    end: float
    char_start: int
    char_end: int
    confidence: float | None = None
    """0..1: how well the audio fits this word (aligners that measure it), else ``None``."""


@dataclass(frozen=True, slots=True)
class PhonemizedWord:
    """A word of the input with its phonemes, before any timing exists."""

    text: str
    char_start: int
    char_end: int
    phonemes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Alignment:
    """Timed phonemes and words for a piece of audio. ``heard``: the phonemes are what a
    recogniser heard, not a transcript's phones fitted to the audio (a hint it was given did
    not fit, or there was none)."""

    phonemes: tuple[TimedPhoneme, ...]
    words: tuple[TimedWord, ...]
    heard: bool = False


class TranscriptMismatch(Invalid):
    """An aligner's refusal of a transcript that stops fitting the audio (field ``text``),
    carrying the ``alignment`` it found all the same: where the text is right by construction
    (an engine's own audio of it), that alignment is still the best timing there is."""

    def __init__(self, message: str, alignment: Alignment) -> None:
        super().__init__(message, field="text")
        self.alignment = alignment


@dataclass(frozen=True, slots=True)
class Speech:
    """Mono speech: float32 ``samples`` in [-1, 1] at ``sample_rate``, with the timings the
    engine itself knows (``None`` when it knows none). ``duration`` is samples / rate, exactly.
    """

    samples: FloatArray
    sample_rate: int
    voice_id: str
    phonemes: tuple[TimedPhoneme, ...] | None = None
    words: tuple[TimedWord, ...] | None = None

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True, slots=True)
class VisemeCue:
    """A mouth shape held over ``[start, end)`` seconds."""

    viseme: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Timeline:
    """Everything a renderer needs to animate speech: cues in the ``oculus`` set plus optional
    expression changes ``(start_seconds, expression)`` over ``duration`` seconds, and optional
    gestures ``(start_seconds, name)`` (``nod``, ``shake``, ``blink``) a renderer may play."""

    duration: float
    visemes: tuple[VisemeCue, ...]
    expressions: tuple[tuple[float, str], ...] = field(default_factory=tuple)
    gestures: tuple[tuple[float, str], ...] = field(default_factory=tuple)
    mouth: Curves | None = None
    """``oculus`` weight curves at the video's fps: a renderer that blends mouth shapes draws
    them; one that does not uses ``visemes``."""


def check_timings(spans: Sequence[TimedPhoneme] | Sequence[TimedWord], duration: float) -> None:
    """Raise ``ValueError`` unless spans are ordered, non-overlapping and within the audio.

    A guard adapters can run on their own output; a tolerance of 1 microsecond absorbs
    float rounding.
    """
    eps = 1e-6
    previous_end = 0.0
    for span in spans:
        if span.start < previous_end - eps or span.end < span.start - eps:
            raise ValueError(f"span {span!r} overlaps or runs backwards")
        if span.end > duration + eps:
            raise ValueError(f"span {span!r} ends after the audio ({duration:.6f}s)")
        previous_end = span.end
