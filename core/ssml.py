"""The SSML subset as data: a parsed document's segments (text runs, breaks, marks), what a
synthesizer honours of it, and the document written back out for an engine.

Every character of the spoken (plain) text keeps its offset in the source, so word timings can
point into what the caller sent. Parsing and its errors are in ``core.ssml_parser``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from avatar_service.core.errors import Invalid
from avatar_service.core.speech import Speech

ELEMENTS = ("speak", "break", "prosody", "say-as", "mark")
SAY_AS = ("characters", "spell-out", "digits", "cardinal", "number")


@dataclass(frozen=True, slots=True)
class Prosody:
    rate: str | None = None
    pitch: str | None = None


@dataclass(frozen=True, slots=True)
class TextRun:
    """Spoken text with the source offset of each of its characters, inside the ``prosody``
    elements (outermost first) and ``say_as`` it sits in."""

    text: str
    offsets: tuple[int, ...]
    prosody: tuple[Prosody, ...] = ()
    say_as: str | None = None


@dataclass(frozen=True, slots=True)
class Break:
    """A pause: ``seconds`` when ``time`` was given, else ``strength``."""

    seconds: float | None = None
    strength: str | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    name: str


Segment = TextRun | Break | Mark


@dataclass(frozen=True, slots=True)
class TimedMark:
    """A ``<mark>`` reached ``time`` seconds into the audio."""

    name: str
    time: float


@dataclass(frozen=True, slots=True)
class SsmlSupport:
    """What a synthesizer honours: ``elements`` besides ``speak`` and ``say_as`` values."""

    elements: frozenset[str]
    say_as: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SsmlDocument:
    """A parsed, valid document: its ``source`` and its segments in reading order."""

    source: str
    segments: tuple[Segment, ...]

    @property
    def plain_text(self) -> str:
        return "".join(s.text for s in self.segments if isinstance(s, TextRun))

    def source_offsets(self) -> tuple[int, ...]:
        """The source offset of each plain-text character."""
        return tuple(o for s in self.segments if isinstance(s, TextRun) for o in s.offsets)

    def features(self) -> tuple[frozenset[str], frozenset[str]]:
        """Elements used (``speak`` left out) and ``say-as`` values used."""
        elements: set[str] = set()
        say_as: set[str] = set()
        for segment in self.segments:
            if isinstance(segment, Break):
                elements.add("break")
            elif isinstance(segment, Mark):
                elements.add("mark")
            else:
                if segment.prosody:
                    elements.add("prosody")
                if segment.say_as is not None:
                    elements.add("say-as")
                    say_as.add(segment.say_as)
        return frozenset(elements), frozenset(say_as)

    def slice(self, start: int, end: int) -> SsmlDocument:
        """The part whose plain text is ``plain_text[start:end]``; a break or mark at a cut
        belongs to the part that starts there (or to the last part, at the very end)."""
        total = len(self.plain_text)
        out: list[Segment] = []
        position = 0
        for segment in self.segments:
            if isinstance(segment, TextRun):
                lo, hi = max(start - position, 0), min(end - position, len(segment.text))
                if lo < hi:
                    out.append(
                        TextRun(
                            segment.text[lo:hi],
                            segment.offsets[lo:hi],
                            segment.prosody,
                            segment.say_as,
                        )
                    )
                position += len(segment.text)
            elif start <= position < end or position == end == total:
                out.append(segment)
        return SsmlDocument(self.source, tuple(out))


def check_support(document: SsmlDocument, support: SsmlSupport, voice_id: str) -> None:
    """``Invalid`` (field ``text``) naming what ``document`` uses that the voice cannot honour."""
    elements, say_as = document.features()
    missing = sorted(f"<{e}>" for e in elements - support.elements)
    missing += sorted(f'say-as interpret-as="{v}"' for v in say_as - support.say_as)
    if missing:
        raise Invalid(f"voice {voice_id} cannot honour {', '.join(missing)} in SSML", field="text")


def to_ssml(
    document: SsmlDocument, say_as_names: Mapping[str, str | None] | None = None
) -> tuple[str, tuple[int | None, ...]]:
    """``document`` written as one ``<speak>`` element, and for each character written the
    plain-text index it stands for (``None`` for markup). ``say_as_names`` renames
    ``interpret-as`` values for an engine; a value mapped to ``None`` is spoken as plain text.
    """
    names = say_as_names or {}
    parts: list[str] = ["<speak>"]
    index: list[int | None] = [None] * len("<speak>")
    position = 0

    def markup(text: str) -> None:
        parts.append(text)
        index.extend([None] * len(text))

    for segment in document.segments:
        if isinstance(segment, Break):
            if segment.seconds is not None:
                markup(f'<break time="{round(segment.seconds * 1000)}ms"/>')
            else:
                markup(f'<break strength="{segment.strength}"/>')
        elif isinstance(segment, Mark):
            markup(f'<mark name="{segment.name}"/>')
        else:
            closing = []
            for prosody in segment.prosody:
                attrs = "".join(
                    f' {key}="{value}"'
                    for key, value in (("rate", prosody.rate), ("pitch", prosody.pitch))
                    if value is not None
                )
                markup(f"<prosody{attrs}>")
                closing.append("</prosody>")
            say_as = names.get(segment.say_as, segment.say_as) if segment.say_as else None
            if say_as is not None:
                markup(f'<say-as interpret-as="{say_as}">')
                closing.append("</say-as>")
            for char in segment.text:
                escaped = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}.get(char, char)
                parts.append(escaped)
                index.extend([position] * len(escaped))
                position += 1
            markup("".join(reversed(closing)))
    markup("</speak>")
    return "".join(parts), tuple(index)


@dataclass(frozen=True, slots=True)
class MarkedSpeech:
    """Speech from an SSML document and the marks it reached, in document order."""

    speech: Speech
    marks: tuple[TimedMark, ...]
