"""SSML parsing: ``<speak>``, ``<break>``, ``<prosody>``, ``<say-as>`` and ``<mark>`` (the
subset in ``core.ssml``) read and validated into an ``SsmlDocument``.

Errors are ``Invalid`` with field ``text`` and say where (a character offset in the source).
"""

from __future__ import annotations

import re

from avatar_service.core.errors import Invalid
from avatar_service.core.ssml import (
    ELEMENTS,
    SAY_AS,
    Break,
    Mark,
    Prosody,
    Segment,
    SsmlDocument,
    TextRun,
)

BREAK_STRENGTHS = ("none", "x-weak", "weak", "medium", "strong", "x-strong")
RATE_WORDS = ("x-slow", "slow", "medium", "fast", "x-fast", "default")
PITCH_WORDS = ("x-low", "low", "medium", "high", "x-high", "default")
MAX_BREAK_SECONDS = 10.0
MAX_MARK_NAME = 64

_ATTRIBUTES = {
    "speak": {"version", "xmlns", "xml:lang", "xmlns:xsi", "xsi:schemaLocation"},
    "break": {"time", "strength"},
    "prosody": {"rate", "pitch"},
    "say-as": {"interpret-as", "format", "detail"},
    "mark": {"name"},
}
_TOKEN = re.compile(
    r"<!--.*?-->|<\?.*?\?>"
    r"|<(?P<close>/?)(?P<name>[A-Za-z][\w:.-]*)(?P<attrs>(?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)"
    r"\s*(?P<empty>/?)>"
    r"|&(?P<entity>#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z]+);",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_TIME = re.compile(r"(\d+(?:\.\d+)?)(ms|s)")
_PERCENT = re.compile(r"[+-]?\d+(?:\.\d+)?%")
_MARK_NAME = re.compile(rf"[A-Za-z0-9_.:-]{{1,{MAX_MARK_NAME}}}")


def parse_ssml(source: str, *, max_marks: int = 1000) -> SsmlDocument:
    """Parse ``source`` (one ``<speak>`` element) into a document, or raise ``Invalid``."""
    if not source.strip():
        raise Invalid("text must contain at least one non-space character", field="text")
    parser = _Parser(source, max_marks)
    parser.run()
    return SsmlDocument(source, tuple(parser.segments))


class _Parser:
    def __init__(self, source: str, max_marks: int) -> None:
        self.source = source
        self.max_marks = max_marks
        self.segments: list[Segment] = []
        self.stack: list[tuple[str, int]] = []  # element name, source offset
        self.prosody: list[Prosody] = []
        self.say_as: str | None = None
        self.closed_root = False
        self.marks = 0
        self.text: list[str] = []
        self.offsets: list[int] = []

    def run(self) -> None:
        position = 0
        for match in _TOKEN.finditer(self.source):
            self.characters(position, match.start())
            position = match.end()
            if match.group("entity") is not None:
                self.entity(match)
            elif match.group("name") is not None:
                self.flush()
                self.tag(match)
        self.characters(position, len(self.source))
        self.flush()
        if self.stack:
            name, at = self.stack[-1]
            raise _error(f"<{name}> at character {at} is never closed")
        if not self.closed_root:
            raise _error("SSML must be one <speak> element")

    def characters(self, start: int, end: int) -> None:
        for index in range(start, end):
            char = self.source[index]
            if char in "<&":
                raise _error(f"malformed markup at character {index}")
            if not self.stack:
                if not char.isspace():
                    raise _error(f"text outside <speak> at character {index}")
                continue
            self.text.append(char)
            self.offsets.append(index)

    def entity(self, match: re.Match[str]) -> None:
        name = match.group("entity")
        if name.startswith("#"):
            code = int(name[2:], 16) if name.startswith("#x") else int(name[1:])
            if not _is_xml_char(code):
                raise _error(
                    f"&{name}; at character {match.start()} is not a character XML allows "
                    "(a surrogate, a control character or beyond U+10FFFF)"
                )
            char = chr(code)
        elif name in _ENTITIES:
            char = _ENTITIES[name]
        else:
            raise _error(f"unknown entity &{name}; at character {match.start()}")
        if not self.stack:
            raise _error(f"text outside <speak> at character {match.start()}")
        self.text.append(char)
        self.offsets.append(match.start())

    def flush(self) -> None:
        if self.text:
            run = TextRun("".join(self.text), tuple(self.offsets), tuple(self.prosody), self.say_as)
            self.segments.append(run)
            self.text, self.offsets = [], []

    def tag(self, match: re.Match[str]) -> None:
        name, at = match.group("name"), match.start()
        if name not in ELEMENTS:
            raise _error(
                f"unsupported SSML element <{name}> at character {at}; "
                f"supported: {', '.join(f'<{e}>' for e in ELEMENTS)}"
            )
        if match.group("close"):
            if not self.stack or self.stack[-1][0] != name:
                raise _error(f"</{name}> at character {at} closes nothing open")
            self.stack.pop()
            self.leave(name)
            return
        attrs = _attributes(name, match.group("attrs"), at)
        if name == "speak":
            if self.stack or self.closed_root:
                raise _error(f"<speak> at character {at} must be the one root element")
        elif not self.stack:
            raise _error(f"<{name}> at character {at} is outside <speak>")
        elif self.say_as is not None:
            raise _error(f"<{name}> at character {at} inside <say-as>: it holds text only")
        self.enter(name, attrs, at)
        if match.group("empty"):
            self.leave(name)
        else:
            self.stack.append((name, at))

    def enter(self, name: str, attrs: dict[str, str], at: int) -> None:
        if name == "break":
            self.segments.append(_break(attrs, at))
        elif name == "mark":
            self.marks += 1
            if self.marks > self.max_marks:
                raise _error(f"more than {self.max_marks} <mark> elements")
            mark_name = attrs.get("name", "")
            if not _MARK_NAME.fullmatch(mark_name):
                raise _error(
                    f"<mark> at character {at} needs a name of 1-{MAX_MARK_NAME} letters, "
                    "digits or _.:-"
                )
            self.segments.append(Mark(mark_name))
        elif name == "prosody":
            self.prosody.append(_prosody(attrs, at))
        elif name == "say-as":
            value = attrs.get("interpret-as")
            if value not in SAY_AS:
                raise _error(
                    f"<say-as> at character {at} needs interpret-as, one of {', '.join(SAY_AS)}"
                )
            self.say_as = value

    def leave(self, name: str) -> None:
        if name == "prosody":
            self.prosody.pop()
        elif name == "say-as":
            self.say_as = None
        elif name == "speak":
            self.closed_root = True


def _error(message: str) -> Invalid:
    return Invalid(f"invalid SSML: {message}", field="text")


def _attributes(element: str, raw: str, at: int) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(raw):
        key = match.group(1)
        if key not in _ATTRIBUTES[element]:
            allowed = ", ".join(sorted(_ATTRIBUTES[element])) or "none"
            raise _error(
                f"<{element}> at character {at} has no attribute {key!r} (allowed: {allowed})"
            )
        attrs[key] = match.group(2) if match.group(2) is not None else match.group(3)
    return attrs


def _break(attrs: dict[str, str], at: int) -> Break:
    time, strength = attrs.get("time"), attrs.get("strength")
    if time is not None:
        found = _TIME.fullmatch(time.strip())
        if found is None:
            raise _error(f"<break> at character {at}: time must look like 500ms or 1.5s")
        seconds = float(found.group(1)) / (1000.0 if found.group(2) == "ms" else 1.0)
        if seconds > MAX_BREAK_SECONDS:
            raise _error(f"<break> at character {at}: at most {MAX_BREAK_SECONDS:g} s")
        return Break(seconds=seconds)
    if strength is not None and strength not in BREAK_STRENGTHS:
        raise _error(f"<break> strength must be one of {', '.join(BREAK_STRENGTHS)}")
    return Break(strength=strength or "medium")


def _prosody(attrs: dict[str, str], at: int) -> Prosody:
    rate, pitch = attrs.get("rate"), attrs.get("pitch")
    if rate is not None and rate not in RATE_WORDS and not _percent_in(rate, 20.0, 400.0):
        raise _error(
            f"<prosody> at character {at}: rate must be one of {', '.join(RATE_WORDS)} "
            "or a percentage from 20% to 400%"
        )
    if pitch is not None and pitch not in PITCH_WORDS and not _percent_in(pitch, -100.0, 400.0):
        raise _error(
            f"<prosody> at character {at}: pitch must be one of {', '.join(PITCH_WORDS)} "
            "or a percentage such as +10% or -20%"
        )
    if rate is None and pitch is None:
        raise _error(f"<prosody> at character {at} needs rate or pitch")
    return Prosody(rate, pitch)


def _percent_in(value: str, low: float, high: float) -> bool:
    return _PERCENT.fullmatch(value) is not None and low <= float(value[:-1]) <= high


def _is_xml_char(code: int) -> bool:
    """XML 1.0's ``Char``: tab, line feed, carriage return, and U+0020 to U+10FFFF without
    the surrogates and U+FFFE, U+FFFF."""
    return code in (0x9, 0xA, 0xD) or (
        0x20 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF and code not in (0xFFFE, 0xFFFF)
    )
