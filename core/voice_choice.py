"""Choosing a voice for an avatar: the voice it asks for (gender, language) among those
installed, neural before formant."""

from __future__ import annotations

from collections.abc import Sequence

from avatar_service.core.speech import Voice

QUALITY_RANK = {"high": 4, "medium": 3, "low": 2, "x_low": 1}
"""Piper's quality grades, best first; any other grade ranks below them."""


def language_match(voice_language: str, wanted: str) -> int:
    """2 for the same language and region (``en-us`` / ``en_US``), 1 for the same language
    (``en`` / ``en-gb``), 0 otherwise."""
    have = voice_language.lower().replace("_", "-").split("-")
    want = wanted.lower().replace("_", "-").split("-")
    if not have[0] or have[0] != want[0]:
        return 0
    return 2 if len(want) == 1 or have[1:2] == want[1:2] else 1


def choose_voice(
    voices: Sequence[Voice], gender: str | None = None, language: str | None = None
) -> Voice | None:
    """The best voice for ``gender`` and ``language`` (either may be ``None``: any), or
    ``None`` when no voice speaks the language. Ranked by: neural before formant, the gender
    asked for, the region asked for (``en-us``: a US voice before a British one), Piper
    quality grade, then listing order."""
    best: tuple[int, int, int, int, int] | None = None
    chosen: Voice | None = None
    for index, voice in enumerate(voices):
        lang = 2 if language is None else language_match(voice.language, language)
        if lang == 0:
            continue
        fits = 1 if gender is None or voice.gender == gender else 0
        rank = (int(voice.neural), fits, lang, QUALITY_RANK.get(voice.quality or "", 0), -index)
        if best is None or rank > best:
            best, chosen = rank, voice
    return chosen
