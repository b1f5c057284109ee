"""Phoneme characters (as espeak-ng writes IPA) grouped into phones (pure).

A phone is one or more characters: a stress mark belongs to the phone after it; length,
syllabic and other modifier marks and combining diacritics belong to the phone before them;
``aɪ aʊ eɪ oʊ ɔɪ tʃ dʒ`` are one phone. Word gaps and punctuation are no phone. Both the truth
corpus (true times of Piper speech) and the phone model's aligner split phonemes this way, so
the two always count the same phones.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

STRESS = frozenset("ˈˌ")
CLUSTERS = frozenset({"aɪ", "aʊ", "eɪ", "oʊ", "ɔɪ", "tʃ", "dʒ"})


def is_boundary(char: str) -> bool:
    """A word gap, punctuation or Piper's sentence/blank token: no phone."""
    return not char.strip() or unicodedata.category(char[0]).startswith("P") or char in "^$_"


def _joins_previous(char: str, phone: str) -> bool:
    if not phone or all(c in STRESS for c in phone):
        return bool(phone)
    if char in STRESS:
        return False
    bare = "".join(c for c in phone if c not in STRESS)
    if unicodedata.category(char[0]) in ("Lm", "Mn", "Sk"):
        return True
    return bare + char in CLUSTERS


def phone_spans(chars: Sequence[str]) -> list[list[int]]:
    """The indices of ``chars`` (one word's phoneme characters, no boundaries) in each phone."""
    phones: list[list[int]] = []
    for index, char in enumerate(chars):
        current = "".join(chars[i] for i in phones[-1]) if phones else ""
        if phones and _joins_previous(char, current):
            phones[-1].append(index)
        else:
            phones.append([index])
    if len(phones) > 1 and all(chars[i] in STRESS for i in phones[-1]):
        phones[-2].extend(phones.pop())  # a trailing stress mark stresses nothing
    return phones


def symbol_and_stress(chars: str) -> tuple[str, int]:
    """A phone's IPA symbol (NFC, stress marks removed) and stress (1 primary, 2 secondary)."""
    stress = 1 if "ˈ" in chars else 2 if "ˌ" in chars else 0
    return unicodedata.normalize("NFC", "".join(c for c in chars if c not in STRESS)), stress


def key(phonemes: str) -> str:
    """Phoneme characters compared across contexts: no stress, length or syllabic marks."""
    return "".join(
        c
        for c in unicodedata.normalize("NFD", phonemes)
        if c not in STRESS and not is_boundary(c) and unicodedata.category(c) not in ("Lm", "Mn")
    )


def _split(group_key: str, word_keys: Sequence[str]) -> list[int] | None:
    """Where ``group_key`` splits into the words of ``word_keys`` (character offsets of the
    second and later words), matching each later word's own phonemes as a suffix, else the
    earlier words' as a prefix; ``None`` when they do not fit."""
    if len(word_keys) == 1:
        return []
    last = word_keys[-1]
    if last and group_key.endswith(last) and len(group_key) > len(last):
        head = _split(group_key[: -len(last)], word_keys[:-1])
        if head is not None:
            return [*head, len(group_key) - len(last)]
    first = word_keys[0]
    if first and group_key.startswith(first) and len(group_key) > len(first):
        tail = _split(group_key[len(first) :], word_keys[1:])
        if tail is not None:
            return [len(first), *(len(first) + t for t in tail)]
    return None


_Plan = tuple[()] | tuple[int, int, list[int], Any]
"""A plan for the groups from some point on: ``()`` (none left) or (first word, last word,
cuts, the plan for the next groups)."""


def assign_groups(
    group_keys: Sequence[str], word_keys: Sequence[str]
) -> list[tuple[int, int, list[int]]] | None:
    """Each spoken group's words ``[first, last)`` and the character offsets (in the group's
    ``key``) where its second and later words start: groups cover the words in order, one to
    three each (espeak-ng joins short function words to their neighbour), matched by each
    word's own phonemes (``word_keys``); ``None`` when they do not fit."""
    groups, words = len(group_keys), len(word_keys)
    extra = words - groups  # words beyond one per group, to be spoken inside some groups
    if extra < 0:
        return None
    # Bottom-up over groups (no recursion: transcripts run to thousands of words). ``plans[s]``
    # covers groups g.. and words g + s..; a plan is (first, last, cuts, rest-of-plan).
    plans: dict[int, _Plan] = {extra: ()}
    for g in range(groups - 1, -1, -1):
        current: dict[int, _Plan] = {}
        for s in range(extra + 1):
            w = g + s
            found: _Plan | None = None
            for count in range(1, min(3, extra - s + 1) + 1):
                cut = [] if count == 1 else _split(group_keys[g], word_keys[w : w + count])
                rest = plans.get(s + count - 1) if cut is not None else None
                if cut is not None and rest is not None:
                    found = (w, w + count, cut, rest)
                    break
            if found is not None:
                current[s] = found
        plans = current
    plan = plans.get(0)
    if plan is None:
        return None
    out: list[tuple[int, int, list[int]]] = []
    while plan:
        first, last, cuts, plan = plan
        out.append((first, last, cuts))
    return out
