"""Viseme cues in the file formats of Rhubarb Lip Sync: ``tsv``, ``json``, ``xml`` and Moho's
switch data (``dat``), byte for byte as Rhubarb 1.14 writes them, so that the importers and
pipelines built around it (game engines, Spine, After Effects, Moho, OpenToonz) read ours.

Times are written to the centisecond, as Rhubarb's own are (cue times rounded, the
recording's end truncated, as Rhubarb truncates it); a cue that this leaves empty is dropped
and neighbours of one shape are joined. For the ``rhubarb`` set, shapes outside
``extended_shapes`` become Rhubarb's basic ones (G -> A, H -> C, X -> A, as its
``--extendedShapes`` does); other sets are written with their own symbols, their silence
symbol closing the mouth at the end.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast, get_args

from avatar_service.core.errors import Invalid
from avatar_service.core.rhubarb_tweens import Cue, with_tweens
from avatar_service.core.speech import VisemeCue
from avatar_service.core.visemesets import VisemeSetSpec

CueFormat = Literal["tsv", "json", "xml", "dat"]
CUE_FORMATS: tuple[str, ...] = get_args(CueFormat)
MEDIA_TYPES: dict[str, str] = {
    "tsv": "text/tab-separated-values",
    "json": "application/json",
    "xml": "application/xml",
    "dat": "text/plain",
}
"""The media type of each format (text is UTF-8)."""

CUE_SET = "rhubarb"
"""The viseme set a cue file is written in unless another is named: Rhubarb's own."""
EXTENDED_SHAPES = "GHX"
"""Rhubarb's optional shapes; A-F are always used."""
BASIC_SHAPE = {"G": "A", "H": "C", "X": "A"}
"""What each optional shape becomes when it is not used (Rhubarb's ``getBasicShape``)."""
PRESTON_BLAIR = {
    "A": "MBP",
    "B": "etc",
    "C": "E",
    "D": "AI",
    "E": "O",
    "F": "U",
    "G": "FV",
    "H": "L",
    "X": "rest",
}
"""Rhubarb's shapes by the names of Preston Blair's mouth chart (Moho's switch layers)."""
DAT_FPS_RANGE = (24.0, 100.0)
"""Frame rates Rhubarb accepts for Moho data."""


@dataclass(frozen=True, slots=True)
class CueExportOptions:
    """``extended_shapes``: which of G, H, X to use (``rhubarb`` set only); ``dat_fps``: the
    frame rate of Moho data; ``preston_blair``: Moho data names shapes as Preston Blair does
    (``rhubarb`` set only); ``tweens``: Rhubarb's in-between shapes are inserted
    (``core.rhubarb_tweens``; ``rhubarb`` set only)."""

    extended_shapes: str = EXTENDED_SHAPES
    dat_fps: float = 24.0
    preston_blair: bool = False
    tweens: bool = False


@dataclass(frozen=True, slots=True)
class CueFile:
    """A cue file asked for, checked when made (``cue_file``): make it before the work whose
    cues it writes, so that a request it refuses does no work and stores nothing."""

    viseme_set: VisemeSetSpec
    format: CueFormat
    options: CueExportOptions = CueExportOptions()

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    def write(self, cues: Sequence[VisemeCue], duration: float, sound_file: str = "") -> str:
        """``cues`` (contiguous over ``[0, duration]``, in this set) as this file's text."""
        return _text(cues, duration, self.viseme_set, self.format, sound_file, self.options)


def cue_file(
    viseme_set: VisemeSetSpec, cue_format: str, options: CueExportOptions = CueExportOptions()
) -> CueFile:
    """The file of ``viseme_set``'s cues as ``cue_format`` with ``options``; ``Invalid`` for
    a format, or options, the set cannot take."""
    checked = check_cue_format(cue_format)
    check_cue_export(viseme_set, checked, options)
    return CueFile(viseme_set, checked, options)


def check_cue_format(name: str) -> CueFormat:
    if name not in CUE_FORMATS:
        raise Invalid(f"cue format must be one of {', '.join(CUE_FORMATS)}", field="format")
    return cast("CueFormat", name)


def export_cues(
    cues: Sequence[VisemeCue],
    duration: float,
    viseme_set: VisemeSetSpec,
    cue_format: CueFormat,
    *,
    sound_file: str = "",
    options: CueExportOptions = CueExportOptions(),
) -> str:
    """``cues`` (contiguous over ``[0, duration]``, in ``viseme_set``) as ``cue_format``;
    ``sound_file`` is named in the JSON and XML metadata. ``Invalid`` for options the set or
    format cannot take."""
    check_cue_export(viseme_set, cue_format, options)
    return _text(cues, duration, viseme_set, cue_format, sound_file, options)


def _text(
    cues: Sequence[VisemeCue],
    duration: float,
    viseme_set: VisemeSetSpec,
    cue_format: CueFormat,
    sound_file: str,
    options: CueExportOptions,
) -> str:
    """``export_cues`` for a set, format and options already checked."""
    shape = _shape_map(viseme_set, options)
    closed = shape(viseme_set.silence)
    end = int(duration * 100 + 1e-6)
    timed = _centiseconds(cues, end)
    if options.tweens:
        timed = with_tweens(timed)
    timed = _joined([(shape(value), start, stop) for value, start, stop in timed])
    if cue_format == "tsv":
        lines = [f"{_seconds(start)}\t{value}" for value, start, _ in timed]
        return "".join(f"{line}\n" for line in [*lines, f"{_seconds(end)}\t{closed}"])
    if cue_format == "dat":
        return _moho(timed, end, closed, options)
    shown = timed or [(closed, 0, 0)]  # Rhubarb names one empty cue rather than none
    if cue_format == "json":
        return _json(shown, end, sound_file)
    return _xml(shown, end, sound_file)


def check_cue_export(
    viseme_set: VisemeSetSpec, cue_format: CueFormat, options: CueExportOptions
) -> None:
    """``Invalid`` unless ``viseme_set`` can be written as ``cue_format`` with ``options``
    (call it before the work whose cues are written)."""
    _shape_map(viseme_set, options)
    if cue_format in ("tsv", "dat"):
        _check_plain(viseme_set, cue_format)


def _check_plain(viseme_set: VisemeSetSpec, cue_format: str) -> None:
    """A set whose symbols hold spaces or control characters cannot be written as lines."""
    for symbol in viseme_set.symbols:
        if not symbol.isprintable() or any(c.isspace() for c in symbol):
            raise Invalid(
                f"viseme set {viseme_set.name}: symbol {symbol!r} cannot be written as "
                f"{cue_format} (it holds a space or a control character)",
                field="format",
            )


def _shape_map(viseme_set: VisemeSetSpec, options: CueExportOptions) -> _ShapeMap:
    rhubarb = viseme_set.name == CUE_SET
    extended = options.extended_shapes.upper()
    if not set(extended) <= set(EXTENDED_SHAPES):
        raise Invalid("extended shapes are some of G, H and X (e.g. GHX)", field="extended_shapes")
    if not rhubarb and set(extended) != set(EXTENDED_SHAPES):
        raise Invalid("extended shapes apply to the rhubarb viseme set", field="extended_shapes")
    if options.tweens and not rhubarb:
        raise Invalid("in-between shapes apply to the rhubarb viseme set", field="tweens")
    if options.preston_blair and not rhubarb:
        raise Invalid(
            "Preston Blair names apply to the rhubarb viseme set", field="dat_preston_blair"
        )
    low, high = DAT_FPS_RANGE
    if not low <= options.dat_fps <= high:
        raise Invalid(f"the Moho frame rate must be {low:g}-{high:g} fps", field="dat_fps")
    dropped = {s: BASIC_SHAPE[s] for s in EXTENDED_SHAPES if s not in extended} if rhubarb else {}
    return _ShapeMap(dropped)


@dataclass(frozen=True, slots=True)
class _ShapeMap:
    dropped: dict[str, str]

    def __call__(self, symbol: str) -> str:
        return self.dropped.get(symbol, symbol)


def _nearest(seconds: float) -> int:
    """Centiseconds, halves up (``round`` would take 0.785 s to 0.78)."""
    return math.floor(seconds * 100 + 0.5)


def _seconds(centiseconds: int) -> str:
    return f"{centiseconds / 100:.2f}"


def _centiseconds(cues: Sequence[VisemeCue], limit: int) -> list[Cue]:
    """``(shape, start, end)`` in centiseconds up to ``limit``: empty cues dropped, one
    shape's neighbours joined."""
    out: list[Cue] = []
    for cue in cues:
        start, end = _nearest(cue.start), min(_nearest(cue.end), limit)
        if out:
            start = out[-1][2]  # contiguous, whatever the rounding
        if end > start:
            out.append((cue.viseme, start, end))
    return _joined(out)


def _joined(cues: list[Cue]) -> list[Cue]:
    out: list[Cue] = []
    for value, start, end in cues:
        if out and out[-1][0] == value:
            out[-1] = (value, out[-1][1], end)
        else:
            out.append((value, start, end))
    return out


def _moho(timed: list[Cue], end: int, closed: str, options: CueExportOptions) -> str:
    def frame(centiseconds: int) -> int:  # Rhubarb's arithmetic, rounding included
        return 1 + int(options.dat_fps * (centiseconds / 100))

    def name(value: str) -> str:
        return PRESTON_BLAIR[value] if options.preston_blair else value

    lines = ["MohoSwitch1"]
    last = 0
    for value, start, _ in timed:
        number = frame(start)
        if number != last:
            lines.append(f"{number} {name(value)}")
            last = number
    final = frame(end)
    lines.append(f"{final + 1 if final == last else final} {name(closed)}")
    return "".join(f"{line}\n" for line in lines)


def _json(timed: list[Cue], end: int, sound_file: str) -> str:
    cues = ",\n".join(
        f'    {{ "start": {_seconds(s)}, "end": {_seconds(e)}, "value": {json.dumps(v)} }}'
        for v, s, e in timed
    )
    return (
        "{\n"
        '  "metadata": {\n'
        f'    "soundFile": {json.dumps(sound_file, ensure_ascii=False)},\n'
        f'    "duration": {_seconds(end)}\n'
        "  },\n"
        '  "mouthCues": [\n'
        f"{cues}\n"
        "  ]\n"
        "}\n"
    )


def _xml(timed: list[Cue], end: int, sound_file: str) -> str:
    cues = "".join(
        f'    <mouthCue start="{_seconds(s)}" end="{_seconds(e)}">{_xml_text(v)}</mouthCue>\n'
        for v, s, e in timed
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<rhubarbResult>\n"
        "  <metadata>\n"
        f"    <soundFile>{_xml_text(sound_file)}</soundFile>\n"
        f"    <duration>{_seconds(end)}</duration>\n"
        "  </metadata>\n"
        "  <mouthCues>\n"
        f"{cues}"
        "  </mouthCues>\n"
        "</rhubarbResult>\n"
    )


def _xml_text(text: str) -> str:
    """``text`` as an element's content: ``&``, ``<`` and ``>`` escaped, the characters XML 1.0
    cannot hold (control characters) left out."""
    kept = "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)
    return kept.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
