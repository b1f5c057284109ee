"""True phone and word times of Piper speech, from the model's own durations (pure, no I/O).

Piper speaks a sentence as a sequence of phoneme ids ``^ _ p1 _ p2 _ ... pn _ $`` (``_`` is the
blank, or pad, token) and its alignment output says how many samples each id took. A phone is
one or more phoneme characters (``tʃ``, ``aɪ``, a vowel with its length mark; a stress mark
belongs to the phone after it) and, by this module's convention, **its onset is the middle of
the blank token before its first character**; it ends where the next phone of its word starts,
or, for the last phone of a word, at the middle of the blank after its last character. Word
gaps and punctuation (`` ``, ``,``, ``.``) are not phones. A word's onset is its first phone's
onset, its end its last phone's end. Times are exact to the model's frame (``hop_length``
samples) and half-frames.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from avatar_service.core.ipa_segments import (
    assign_groups,
    is_boundary,
    key,
    phone_spans,
    symbol_and_stress,
)

BOS, EOS, PAD = "^", "$", "_"
WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f]|['’](?=[^\W_]))*")
"""A word of the text: letters or digits (with combining marks), joined by inner apostrophes."""


@dataclass(frozen=True, slots=True)
class TruthPhone:
    """One spoken phone: IPA ``symbol`` (stress marks removed; ``stress`` 1 primary, 2
    secondary, 0 none), ``[onset, end)`` in seconds, and the index of its word in the clip's
    ``words``."""

    symbol: str
    onset: float
    end: float
    word_index: int
    stress: int = 0


@dataclass(frozen=True, slots=True)
class TruthWord:
    """One word of the text: ``[onset, end)`` in seconds and ``[char_start, char_end)`` offsets
    into the clip's ``text``."""

    text: str
    onset: float
    end: float
    char_start: int
    char_end: int


@dataclass(frozen=True, slots=True)
class SpokenSentence:
    """One sentence as Piper spoke it: its phoneme characters (as ``PiperVoice.phonemize``
    returns them) and the samples each phoneme id took (``phoneme_ids_to_audio`` with
    ``include_alignments``)."""

    phonemes: tuple[str, ...]
    id_samples: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Token:
    char: str
    start: int  # the token's own samples
    end: int
    before: float  # middle of the blank before it, in samples
    after: float  # middle of the blank after it


def _tokens(
    sentence: SpokenSentence, id_map: Mapping[str, Sequence[int]], offset: int
) -> tuple[list[_Token], int]:
    """The sentence's phoneme tokens with sample positions (ids mirrored from piper-tts'
    ``phonemes_to_ids``), and the samples the sentence takes."""
    pad = len(id_map.get(PAD, ()))
    spoken = [p for p in sentence.phonemes if p in id_map]
    widths = [len(id_map.get(BOS, ())), pad]
    for p in spoken:
        widths += [len(id_map[p]), pad]
    widths.append(len(id_map.get(EOS, ())))
    if sum(widths) != len(sentence.id_samples):
        raise ValueError(
            f"{len(sentence.id_samples)} id durations for {sum(widths)} phoneme ids: "
            "not this sentence's alignment"
        )
    ends: list[int] = []
    position = offset
    index = 0
    for width in widths:
        position += sum(sentence.id_samples[index : index + width])
        index += width
        ends.append(position)
    starts = [offset, *ends[:-1]]

    def middle(k: int) -> float:
        return (starts[k] + ends[k]) / 2

    tokens = [
        _Token(char, starts[2 + 2 * i], ends[2 + 2 * i], middle(1 + 2 * i), middle(3 + 2 * i))
        for i, char in enumerate(spoken)
    ]
    return tokens, ends[-1] - offset


def _phones(group: Sequence[_Token]) -> list[list[_Token]]:
    return [[group[i] for i in span] for span in phone_spans([t.char for t in group])]


def truth_timings(
    text: str,
    sentences: Sequence[SpokenSentence],
    id_map: Mapping[str, Sequence[int]],
    sample_rate: int,
    phonemize_word: Callable[[str], str],
) -> tuple[tuple[TruthPhone, ...], tuple[TruthWord, ...]]:
    """Phones and words of ``text`` spoken as ``sentences`` (one after another, no gap).

    ``phonemize_word(word)`` gives a word's phonemes said alone; it places the words of a
    group espeak spoke as one (``ɔnðə`` for "on the"). ``ValueError`` when the groups cannot be
    matched to the words (a number read as several groups, a word espeak drops)."""
    tokens: list[_Token] = []
    offset = 0
    for sentence in sentences:
        found, length = _tokens(sentence, id_map, offset)
        tokens += found
        offset += length
    groups: list[list[_Token]] = [[]]
    for token in tokens:
        if is_boundary(token.char):
            groups.append([])
        else:
            groups[-1].append(token)
    groups = [g for g in groups if g]
    matches = list(WORD.finditer(text))
    group_keys = [key("".join(t.char for t in g)) for g in groups]
    word_keys = (
        [key(phonemize_word(m.group())) for m in matches] if len(groups) != len(matches) else []
    )
    plan = (
        [(i, i + 1, []) for i in range(len(groups))]
        if len(groups) == len(matches)
        else assign_groups(group_keys, word_keys)
    )
    if plan is None:
        raise ValueError(
            f"cannot match {len(groups)} spoken groups {group_keys} to the words of {text!r}"
        )
    phones: list[TruthPhone] = []
    spans: dict[int, list[float]] = {}
    for group, (first, _last, cuts) in zip(groups, plan, strict=True):
        position = 0
        for phone in _phones(group):
            chars = "".join(t.char for t in phone)
            word = first + sum(1 for cut in cuts if position >= cut)
            # Tokens are contiguous: the blank after a phone is the blank before the next.
            onset, end = phone[0].before, phone[-1].after
            symbol, stress = symbol_and_stress(chars)
            phones.append(TruthPhone(symbol, onset / sample_rate, end / sample_rate, word, stress))
            spans.setdefault(word, []).extend((onset, end))
            position += len(key(chars))
    words = []
    for index, match in enumerate(matches):
        times = spans.get(index)
        if not times:
            raise ValueError(f"word {match.group()!r} of {text!r} has no phone")
        onset, end = min(times) / sample_rate, max(times) / sample_rate
        words.append(TruthWord(match.group(), onset, end, match.start(), match.end()))
    return tuple(phones), tuple(words)
