"""Phoneme and word timings for Piper speech, from the model's own durations.

piper-tts reports, per sentence, how many samples each phoneme *character* took (its
``include_alignments``). Characters are not phonemes and carry no text offsets, so the words of
the input are phonemized separately (espeak-ng, the phonemizer Piper itself uses) and the two
character streams are matched; each phoneme then spans the samples of its matched characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from avatar_service.adapters.tts.espeak import strip_stress
from avatar_service.core.phonemes import to_arpabet
from avatar_service.core.speech import TimedPhoneme, TimedWord

# Letters or digits (with combining marks), joined by inner apostrophes: "don't", "café".
WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f]|['’](?=[^\W_]))*")
_SKIPPED = frozenset({"^", "$", "_"})  # BOS, EOS, PAD
_NO_STRESS = str.maketrans("", "", "ˈˌ")
_BETWEEN_WORDS = frozenset(" !'(),-.:;?\"")  # word gaps and punctuation Piper voices


@dataclass(frozen=True, slots=True)
class WordPhonemes:
    """A word of the text, ``[char_start, char_end)``, and its phonemes (stress marks kept)."""

    char_start: int
    char_end: int
    phonemes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CharSpan:
    """One phoneme character of Piper's stream and the samples ``[start, end)`` it took."""

    char: str
    start: int
    end: int


def text_words(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every word of ``text``."""
    return [(m.start(), m.end()) for m in WORD.finditer(text)]


def char_spans(sentences: Sequence[Sequence[tuple[str, int]]]) -> tuple[list[CharSpan], int]:
    """Piper's per-sentence ``(phoneme char, samples)`` alignments as one timeline (sentences
    follow each other with no gap, as piper-tts' chunks do), and the samples they add up to."""
    spans: list[CharSpan] = []
    position = 0
    for sentence in sentences:
        for char, count in sentence:
            start, position = position, position + max(int(count), 0)
            if char not in _SKIPPED:
                spans.append(CharSpan(char, start, position))
    return spans, position


def _chars(pieces: Sequence[str]) -> list[tuple[str, int]]:
    """Each character (NFD, as Piper decomposes) with the index of the piece it came from."""
    return [(c, i) for i, piece in enumerate(pieces) for c in unicodedata.normalize("NFD", piece)]


def _pairs(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Positions ``(i, j)`` where ``a[i]`` is matched to ``b[j]``, in order."""
    if len(a) == len(b) and list(a) == list(b):  # the usual case: one phonemizer, one answer
        return [(i, i) for i in range(len(a))]
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return [(m.a + k, m.b + k) for m in matcher.get_matching_blocks() for k in range(m.size)]


def _bare(phonemes: Sequence[str]) -> str:
    return "".join(phonemes).translate(_NO_STRESS)


@lru_cache(maxsize=4096)  # a language has a few dozen phonemes; the bound is for odd input
def _phoneme_names(name: str) -> tuple[str, int, str | None]:
    """An espeak phoneme's symbol without stress (``name`` if nothing is left), its stress,
    and its ARPAbet symbol: pure, so cached."""
    symbol, stress = strip_stress(name)
    return symbol or name, stress, to_arpabet(symbol, stress)


def _owners(words: Sequence[WordPhonemes], phonemes: Sequence[tuple[str, int]]) -> list[int]:
    """The word each phoneme of the text's phonemization belongs to (non-decreasing).

    Words phonemized one by one and the text phonemized whole differ a little (``a`` is ``eɪ``
    alone, ``ɐ`` in a sentence; ``for the`` is one group, ``fɚðə``): groups equal to words
    (stress aside) take them; in the runs between, characters they share vote; a phoneme with
    no vote joins its group's word, else the next word not yet used.
    """
    groups: dict[int, list[int]] = {}
    for index, (_, group) in enumerate(phonemes):
        groups.setdefault(group, []).append(index)
    group_ids = sorted(groups)
    votes: dict[int, int] = {}
    word_keys = [_bare(w.phonemes) for w in words]
    group_keys = [_bare([phonemes[i][0] for i in groups[g]]) for g in group_ids]
    opcodes: Sequence[tuple[str, int, int, int, int]]
    if word_keys == group_keys:  # one group per word: the matcher would find one equal run
        opcodes = [("equal", 0, len(words), 0, len(group_ids))] if words else []
    else:
        opcodes = SequenceMatcher(None, word_keys, group_keys, autojunk=False).get_opcodes()
    for tag, w0, w1, g0, g1 in opcodes:
        if tag == "equal":
            for k in range(w1 - w0):
                votes.update(dict.fromkeys(groups[group_ids[g0 + k]], w0 + k))
            continue
        indices = [i for g in group_ids[g0:g1] for i in groups[g]]
        word_chars = _chars([" ".join(words[w].phonemes) for w in range(w0, w1)])
        phoneme_chars = _chars([phonemes[i][0] for i in indices])
        for i, j in _pairs([c for c, _ in word_chars], [c for c, _ in phoneme_chars]):
            votes.setdefault(indices[phoneme_chars[j][1]], w0 + word_chars[i][1])
    # The smallest vote after each phoneme (votes are word indices, so never past the last).
    later = [len(words) - 1] * (len(phonemes) + 1)
    for index in range(len(phonemes) - 1, -1, -1):
        vote = votes.get(index)
        later[index] = later[index + 1] if vote is None else min(vote, later[index + 1])
    owners: list[int] = []
    for index, (_, group) in enumerate(phonemes):
        vote = votes.get(index)
        if vote is None:
            same_group = owners and phonemes[index - 1][1] == group
            vote = owners[-1] if same_group else (owners[-1] + 1 if owners else 0)
            vote = min(vote, later[index + 1])
        owners.append(max(vote, owners[-1] if owners else 0))
    return owners


def timings(
    text: str,
    words: Sequence[WordPhonemes],
    groups: Sequence[Sequence[str]],
    spans: Sequence[CharSpan],
    sample_rate: int,
) -> tuple[tuple[TimedPhoneme, ...], tuple[TimedWord, ...]]:
    """Phonemes of the text phonemized whole (``groups``: the phonemes of each space-separated
    group, as Piper spoke them) timed by the Piper characters they match, and assigned to the
    ``words`` of the text; phonemes with no matched character are dropped, and so are words
    left with no phoneme."""
    phonemes = [(p, g) for g, group in enumerate(groups) for p in group]
    spans = [s for s in spans if s.char not in _BETWEEN_WORDS]
    chars = _chars([p for p, _ in phonemes])
    bounds: dict[int, list[int]] = {}
    for i, j in _pairs([c for c, _ in chars], [s.char for s in spans]):
        span = spans[j]
        known = bounds.setdefault(chars[i][1], [span.start, span.end])
        known[0], known[1] = min(known[0], span.start), max(known[1], span.end)
    owners = _owners(words, phonemes)
    timed: list[TimedPhoneme] = []
    by_word: dict[int, list[TimedPhoneme]] = {}
    for index, (name, _) in enumerate(phonemes):
        found = bounds.get(index)
        if found is None:
            continue
        symbol, stress, arpabet = _phoneme_names(name)
        phoneme = TimedPhoneme(
            symbol, found[0] / sample_rate, found[1] / sample_rate, arpabet, stress
        )
        timed.append(phoneme)
        by_word.setdefault(owners[index], []).append(phoneme)
    timed_words = tuple(
        TimedWord(
            text[words[w].char_start : words[w].char_end], spoken[0].start, spoken[-1].end,
            words[w].char_start, words[w].char_end,
        )
        for w, spoken in sorted(by_word.items())
    )  # fmt: skip
    return tuple(timed), timed_words
