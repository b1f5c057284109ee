"""Phoneme and word timings for Piper speech, from the model's own durations.

piper-tts reports, per sentence, the phoneme *characters* it spoke and how many samples each
took (its ``include_alignments``). That stream is the one phonemization used: its space- and
punctuation-separated groups are matched to the words of the input, each word phonemized alone
by espeak-ng (cacheable, and with phoneme boundaries), and each group is cut into phonemes at
the boundaries of the word it matches. Groups that differ from the words (``a`` is ``eɪ`` alone,
``ɐ`` in a sentence; ``for the`` is one group) are cut by shape and their words found by vote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import accumulate

from avatar_service.adapters.tts.espeak import strip_stress
from avatar_service.core.phonemes import to_arpabet
from avatar_service.core.speech import TimedPhoneme, TimedWord
from avatar_service.core.words import SpokenUnit, assign_words
from avatar_service.core.words import text_words as words_of

_SWITCH = re.compile(r"\([^)]+\)")  # "(fr)...(en)": a language switch, no phoneme
_STRESS = frozenset("ˈˌ")
_NO_STRESS = str.maketrans("", "", "ˈˌ")
_BOUNDARIES = frozenset(" !'(),-.:;?\"^$_")  # word gaps, punctuation, BOS, EOS, PAD
# Phonemes of more than one character that Piper's stream spells letter by letter.
_COMMON_CLUSTERS = ("aɪ", "aʊ", "eɪ", "oʊ", "ɔɪ", "tʃ", "dʒ")


@dataclass(frozen=True, slots=True)
class Unit:
    """One space-separated group of a word's phonemes: their characters without stress (NFD)
    and the character count at the end of each phoneme."""

    key: str
    ends: tuple[int, ...]
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WordPhonemes:
    """A word of the text, ``[char_start, char_end)``, its phonemes (stress marks kept) and
    their groups as ``Unit``s."""

    char_start: int
    char_end: int
    phonemes: tuple[str, ...]
    units: tuple[Unit, ...]


class _Piece:
    """One phoneme being assembled from Piper's characters: its name and samples."""

    __slots__ = ("end", "name", "start")

    def __init__(self, name: str, start: int, end: int) -> None:
        self.name, self.start, self.end = name, start, end

    def extend(self, char: str, end: int) -> None:
        self.name += char
        self.end = end


def text_words(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every word of ``text`` (``core.words.text_words``)."""
    return [(w.char_start, w.char_end) for w in words_of(text)]


def word_phonemes(char_start: int, char_end: int, ipa: str) -> WordPhonemes:
    """A word from espeak's answer for it alone (phonemes split by ``_``, groups by spaces)."""
    phonemes, units = _parse(ipa)
    return WordPhonemes(char_start, char_end, phonemes, units)


@lru_cache(maxsize=8192)  # words repeat; the answer depends on the string alone
def _parse(ipa: str) -> tuple[tuple[str, ...], tuple[Unit, ...]]:
    groups = [[p for p in g.split("_") if p] for g in _SWITCH.sub("", ipa).split()]
    units = []
    for group in groups:
        names = [
            n for n in (unicodedata.normalize("NFD", p).translate(_NO_STRESS) for p in group) if n
        ]
        if names:
            units.append(Unit("".join(names), tuple(accumulate(map(len, names))), tuple(names)))
    return tuple(p for g in groups for p in g), tuple(units)


def spoken_groups(
    sentences: Iterable[Sequence[tuple[str, int]]],
) -> tuple[list[list[tuple[str, int, int]]], int]:
    """Piper's per-sentence ``(phoneme character, samples)`` alignments on one timeline
    (sentences follow each other with no gap, as piper-tts' chunks do) as the groups of
    characters between word gaps and punctuation, each ``(char, start, end)``; and the samples
    they add up to."""
    groups: list[list[tuple[str, int, int]]] = []
    current: list[tuple[str, int, int]] = []
    position = 0
    for sentence in sentences:
        for char, count in sentence:
            start = position
            position += max(int(count), 0)
            if char in _BOUNDARIES:
                if current:
                    groups.append(current)
                    current = []
            else:
                current.append((char, start, position))
        if current:
            groups.append(current)
            current = []
    return groups, position


def _cut_at(group: Sequence[tuple[str, int, int]], ends: Sequence[int]) -> list[_Piece]:
    """``group`` cut into phonemes ending at character counts ``ends`` (stress not counted;
    a stress mark opens the phoneme after it)."""
    pieces: list[_Piece] = []
    index, position, last, current = 0, 0, len(ends) - 1, -1
    for char, start, end in group:
        while index < last and position >= ends[index]:
            index += 1
        if index != current:
            pieces.append(_Piece(char, start, end))
            current = index
        else:
            pieces[-1].extend(char, end)
        if char not in _STRESS:
            position += len(char)
    return pieces


@lru_cache(maxsize=512)
def _joins_previous(char: str) -> bool:
    """A length mark, modifier letter or combining mark: part of the phoneme before it."""
    return char not in _STRESS and unicodedata.category(char[0]) in ("Lm", "Mn", "Sk")


def _cut_by_shape(group: Sequence[tuple[str, int, int]], clusters: frozenset[str]) -> list[_Piece]:
    """``group`` cut into phonemes without a word to follow: a stress mark opens a phoneme,
    modifiers join the one before, and characters extending a known cluster stay together."""
    pieces: list[_Piece] = []
    bare = ""  # the open phoneme's characters without stress
    for char, start, end in group:
        opens = char in _STRESS and bool(bare)
        if (
            pieces
            and not opens
            and (
                not bare
                or _joins_previous(char)
                or (char not in _STRESS and bare + char in clusters)
            )
        ):
            pieces[-1].extend(char, end)
        else:
            pieces.append(_Piece(char, start, end))
            bare = ""
        if char not in _STRESS:
            bare += char
    if len(pieces) > 1 and not bare:  # a stress mark that stresses nothing
        last = pieces.pop()
        pieces[-1].extend(last.name, last.end)
    return pieces


def _prefixes(names: Iterable[str]) -> frozenset[str]:
    return frozenset(n[:i] for n in (*names, *_COMMON_CLUSTERS) for i in range(2, len(n) + 1))


@lru_cache(maxsize=4096)  # a language has a few dozen phonemes; the bound is for odd input
def _phoneme_names(name: str) -> tuple[str, int, str | None]:
    """A phoneme's symbol (NFC, without stress; ``name`` if nothing is left), its stress, and
    its ARPAbet symbol: pure, so cached."""
    symbol, stress = strip_stress(unicodedata.normalize("NFC", name))
    return symbol or name, stress, to_arpabet(symbol, stress)


def _resolve(votes: Sequence[int | None], group_of: Sequence[int], last_word: int) -> list[int]:
    """The word of every phoneme, non-decreasing: its vote, capped by the smallest vote after
    it; a phoneme with no vote joins its group's word, else the next word."""
    later = [last_word] * (len(votes) + 1)
    for index in range(len(votes) - 1, -1, -1):
        vote = votes[index]
        later[index] = later[index + 1] if vote is None else min(vote, later[index + 1])
    owners: list[int] = []
    for index, vote in enumerate(votes):
        if vote is None:
            same_group = owners and group_of[index - 1] == group_of[index]
            vote = owners[-1] if same_group else (owners[-1] + 1 if owners else 0)
            vote = min(vote, later[index + 1])
        owners.append(max(vote, owners[-1] if owners else 0))
    return owners


def _voted(units: Sequence[tuple[int, Unit]], pieces: Sequence[_Piece]) -> list[int | None]:
    """For a run where groups and word units differ: each piece's word, by the characters
    they share (``None`` where no character matched)."""
    word_chars = [(c, w) for w, unit in units for c in unit.key]
    piece_chars = [(c, i) for i, p in enumerate(pieces) for c in p.name.translate(_NO_STRESS)]
    votes: list[int | None] = [None] * len(pieces)
    matcher = SequenceMatcher(
        None, [c for c, _ in word_chars], [c for c, _ in piece_chars], autojunk=False
    )
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            piece = piece_chars[block.b + k][1]
            if votes[piece] is None:
                votes[piece] = word_chars[block.a + k][1]
    return votes


def timings(
    text: str,
    words: Sequence[WordPhonemes],
    groups: Sequence[Sequence[tuple[str, int, int]]],
    sample_rate: int,
    duration: float | None = None,
) -> tuple[tuple[TimedPhoneme, ...], tuple[TimedWord, ...]]:
    """The phonemes Piper spoke (``groups``, from ``spoken_groups``), timed by their samples
    and assigned to the ``words`` of ``text`` (one per word of ``text``, as
    ``core.words.text_words`` finds them); a word left with no phoneme of its own shares its
    neighbour's (``core.words.assign_words``)."""
    if not words or not groups:
        return (), ()
    units = [(w, unit) for w, word in enumerate(words) for unit in word.units]
    unit_keys = [unit.key for _, unit in units]
    group_keys = ["".join(c for c, _, _ in g).translate(_NO_STRESS) for g in groups]
    opcodes: Sequence[tuple[str, int, int, int, int]]
    if unit_keys == group_keys:  # one group per word unit, as in most sentences
        opcodes = [("equal", 0, len(units), 0, len(groups))]
    else:
        opcodes = SequenceMatcher(None, unit_keys, group_keys, autojunk=False).get_opcodes()
    pieces: list[_Piece] = []
    votes: list[int | None] = []
    group_of: list[int] = []
    for tag, u0, u1, g0, g1 in opcodes:
        if tag == "equal" or (u1 - u0 == g1 - g0):
            for k in range(g1 - g0):
                word, unit = units[u0 + k]
                group = groups[g0 + k]
                cut = (
                    _cut_at(group, unit.ends)
                    if tag == "equal"
                    else _cut_by_shape(group, _prefixes(unit.names))
                )
                pieces += cut
                votes += [word] * len(cut)
                group_of += [g0 + k] * len(cut)
            continue
        run = units[u0:u1]
        clusters = _prefixes(n for _, unit in run for n in unit.names)
        run_pieces: list[_Piece] = []
        for g in range(g0, g1):
            shaped = _cut_by_shape(groups[g], clusters)
            run_pieces += shaped
            group_of += [g] * len(shaped)
        pieces += run_pieces
        votes += _voted(run, run_pieces) if run else [None] * len(run_pieces)
    owners = _resolve(votes, group_of, len(words) - 1)
    timed: list[TimedPhoneme] = []
    by_word: dict[int, list[int]] = {}
    for piece, owner in zip(pieces, owners, strict=True):
        symbol, stress, arpabet = _phoneme_names(piece.name)
        by_word.setdefault(owner, []).append(len(timed))
        timed.append(
            TimedPhoneme(
                symbol, piece.start / sample_rate, piece.end / sample_rate, arpabet, stress
            )
        )
    spoken = [
        SpokenUnit(words[w].char_start, words[w].char_end, tuple(indices))
        for w, indices in sorted(by_word.items())
    ]
    alignment = assign_words(text, timed, spoken, duration=duration)
    return alignment.phonemes, alignment.words
