"""The words of a text, and how an engine's spoken units map onto them.

A *word of the input* is a run of letters, digits and combining marks (any script), joined
into one word by an inner apostrophe (``don't``, ``l'homme``), an inner hyphen
(``well-known``), a ``.``, ``,`` or ``:`` between digits (``3.14``, ``1,000``, ``10:30``) and
the dots of a single-letter abbreviation (``U.S.A``, ``e.g``). A trailing dot (``Dr.``) and
other punctuation belong to no word; symbols an engine reads aloud (``%``, ``&``) add their
sound to the nearest word. Scripts written without spaces (Chinese, Japanese, Thai) give one
word per run.

Engines speak in their own units: espeak-ng joins function words (``on the`` is one unit),
expands numbers (``1984`` is four spoken words), and an aligner's dictionary has its own
tokens. ``assign_words`` maps any such units onto the input words: every word of the input
gets at least one phoneme, in order; words spoken as one unit share its phonemes in proportion
to their expected phoneme counts; every phoneme carries the index of its word.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from avatar_service.core.errors import Invalid
from avatar_service.core.speech import Alignment, TimedPhoneme, TimedWord

MIN_SPAN_SECONDS = 0.001
"""The shortest phoneme (and so word) any adapter reports: nothing is zero-length."""

_APOSTROPHES = frozenset("'’ʼ")
_HYPHENS = frozenset("-‐‑")
_NUMBER_JOINERS = frozenset(".,:")
_DIGRAPHS = frozenset({"th", "sh", "ch", "ng", "ph", "ck", "ee", "oo", "qu", "wh", "gh"})


@dataclass(frozen=True, slots=True)
class TextWord:
    """A word of the input: ``text == source[char_start:char_end]``."""

    text: str
    char_start: int
    char_end: int


@dataclass(frozen=True, slots=True)
class SpokenUnit:
    """What an engine spoke as one word: the ``[char_start, char_end)`` it attributes it to
    (approximate is fine; it may cover several input words, or none, e.g. a ``%``) and the
    indices of its phonemes, ascending."""

    char_start: int
    char_end: int
    phonemes: tuple[int, ...]


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNM"


def _joins(text: str, at: int) -> bool:
    """Whether the punctuation at ``at`` (between two word characters) joins them."""
    ch, before, after = text[at], text[at - 1], text[at + 1]
    if ch in _APOSTROPHES or ch in _HYPHENS:
        return True
    if ch in _NUMBER_JOINERS and before.isdigit() and after.isdigit():
        return True
    if ch != "." or not before.isalpha() or not after.isalpha():
        return False
    single_before = at < 2 or text[at - 2] == "." or not _is_word_char(text[at - 2])
    single_after = at + 2 >= len(text) or text[at + 2] == "."
    return single_before and single_after


def text_words(text: str) -> tuple[TextWord, ...]:
    """Every word of ``text`` (see the module docstring), in order, with its offsets."""
    words: list[TextWord] = []
    n = len(text)
    i = 0
    while i < n:
        if not _is_word_char(text[i]):
            i += 1
            continue
        j = i + 1
        while j < n:
            if _is_word_char(text[j]):
                j += 1
            elif j + 1 < n and _is_word_char(text[j + 1]) and _joins(text, j):
                j += 2
            else:
                break
        words.append(TextWord(text[i:j], i, j))
        i = j
    return tuple(words)


def estimate_phonemes(word: str) -> int:
    """A rough phoneme count for a written word (at least 1): letters count one, common
    digraphs one, digits three (a spoken digit or number word)."""
    lowered = unicodedata.normalize("NFKD", word.lower())
    count = 0
    i = 0
    while i < len(lowered):
        ch = lowered[i]
        if lowered[i : i + 2] in _DIGRAPHS:
            count += 1
            i += 2
            continue
        if ch.isdigit():
            count += 3
        elif ch.isalpha():
            count += 1
        i += 1
    return max(count, 1)


def assign_words(
    text: str,
    phonemes: Sequence[TimedPhoneme],
    units: Sequence[SpokenUnit],
    *,
    weigh: Callable[[str], float] = estimate_phonemes,
    duration: float | None = None,
) -> Alignment:
    """One ``TimedWord`` per word of ``text``, in order, from an engine's ``phonemes`` (timed,
    in order) and the ``units`` it spoke them in.

    Each unit goes to the input words its characters overlap (none: the nearest word); units
    whose words overlap, and words no unit reached, form one group with the phonemes of its
    units. A group of several words cuts its phonemes at phoneme boundaries in proportion to
    ``weigh(word)``, splitting its longest phonemes in two when it has fewer phonemes than
    words. Phonemes in no unit (pauses) keep ``word_index=None``. Spans are first made at
    least ``MIN_SPAN_SECONDS`` long (inside ``[0, duration]`` when given). ``Invalid`` (field
    ``text``) when ``text`` has words but no unit holds a phoneme.
    """
    words = text_words(text)
    if not words:
        raise Invalid("text contains no speakable word", field="text")
    timed = list(spread_spans(phonemes, duration))
    groups = _groups(words, [u for u in units if u.phonemes])
    if not groups:
        raise Invalid("text contains no speakable word", field="text")
    owner: list[tuple[int, int] | None] = [None] * len(timed)
    for a, b, members in groups:
        for index in members:
            if 0 <= index < len(timed):
                owner[index] = (a, b)
    _fill_pauses(owner)
    out: list[TimedPhoneme] = []
    start = 0
    while start < len(timed):
        group = owner[start]
        end = start + 1
        while end < len(timed) and owner[end] == group:
            end += 1
        run = timed[start:end]
        if group is None:
            out.extend(_owned(p, None) for p in run)
        else:
            out.extend(_split(run, words[group[0] : group[1]], group[0], weigh))
        start = end
    phonemes_out = tuple(out)
    return Alignment(phonemes_out, words_from_phonemes(words, phonemes_out))


def _owned(p: TimedPhoneme, word_index: int | None) -> TimedPhoneme:
    """``p`` with ``word_index`` (built directly: ``dataclasses.replace`` is 5x slower)."""
    if p.word_index == word_index:
        return p
    return TimedPhoneme(p.symbol, p.start, p.end, p.arpabet, p.stress, word_index)


def _fill_pauses(owner: list[tuple[int, int] | None]) -> None:
    """A phoneme in no unit between two phonemes of one group (a pause inside a unit) joins
    that group."""
    following: tuple[int, int] | None = None
    after: list[tuple[int, int] | None] = [None] * len(owner)
    for index in range(len(owner) - 1, -1, -1):
        after[index] = following
        following = owner[index] or following
    previous: tuple[int, int] | None = None
    for index, group in enumerate(owner):
        if group is None and previous is not None and after[index] == previous:
            owner[index] = previous
        previous = owner[index] or previous


def _groups(
    words: Sequence[TextWord], units: Sequence[SpokenUnit]
) -> list[tuple[int, int, list[int]]]:
    """``(first word, end word, phoneme indices)`` per group: ordered, disjoint, covering
    every word index."""
    starts = [w.char_start for w in words]
    ends = [w.char_end for w in words]
    groups: list[tuple[int, int, list[int]]] = []
    for unit in units:
        a, b = _word_range(starts, ends, unit.char_start, unit.char_end)
        if groups:
            last_a, last_b, members = groups[-1]
            a = max(a, last_a)
            b = max(b, a + 1)
            if a < last_b:
                members.extend(unit.phonemes)
                groups[-1] = (last_a, max(last_b, b), members)
                continue
            groups[-1] = (last_a, a, members)  # words between units join the unit before
        groups.append((a, b, list(unit.phonemes)))
    if groups:
        _, first_b, members = groups[0]
        groups[0] = (0, first_b, members)
        last_a, _, members = groups[-1]
        groups[-1] = (last_a, len(words), members)
    return groups


def _word_range(starts: list[int], ends: list[int], start: int, end: int) -> tuple[int, int]:
    """The words ``[a, b)`` (by their sorted ``starts`` and ``ends``) that characters
    ``[start, end)`` overlap; none: the nearest (the one before on a tie)."""
    first = bisect_right(ends, start)  # the first word ending after ``start``
    after = bisect_left(starts, end)  # the first word starting at or after ``end``
    if first < after:
        return first, after
    if after == 0:
        return 0, 1
    if after == len(starts):
        return after - 1, after
    chosen = after - 1 if start - ends[after - 1] <= starts[after] - end else after
    return chosen, chosen + 1


def _split(
    phonemes: Sequence[TimedPhoneme],
    words: Sequence[TextWord],
    first: int,
    weigh: Callable[[str], float],
) -> list[TimedPhoneme]:
    """``phonemes`` shared by ``words`` (indices from ``first``), cut in proportion to their
    weights; each word gets at least one phoneme."""
    spoken = list(phonemes)
    while len(spoken) < len(words):
        longest = max(range(len(spoken)), key=lambda i: spoken[i].end - spoken[i].start)
        p = spoken[longest]
        middle = (p.start + p.end) / 2
        spoken[longest : longest + 1] = [replace(p, end=middle), replace(p, start=middle)]
    weights = [max(float(weigh(w.text)), 1e-9) for w in words]
    total = sum(weights)
    count = len(spoken)
    cuts: list[int] = []
    running = 0.0
    for k, weight in enumerate(weights[:-1]):
        running += weight
        cut = round(count * running / total)
        low = (cuts[-1] if cuts else 0) + 1
        high = count - (len(words) - 1 - k)
        cuts.append(min(max(cut, low), high))
    cuts.append(count)
    out: list[TimedPhoneme] = []
    start = 0
    for k, cut in enumerate(cuts):
        out.extend(_owned(p, first + k) for p in spoken[start:cut])
        start = cut
    return out


def spread_spans(
    phonemes: Sequence[TimedPhoneme],
    duration: float | None = None,
    minimum: float = MIN_SPAN_SECONDS,
) -> tuple[TimedPhoneme, ...]:
    """``phonemes`` ordered and non-overlapping, each at least ``minimum`` seconds long (less
    only when ``duration`` cannot hold them all), inside ``[0, duration]``. A short span right
    after a longer one shares it half and half (an engine that reports a phoneme at the
    sample of the next, or a warp that squeezes it to nothing); otherwise it takes time from
    what follows it, or near the end from what precedes it."""
    if not phonemes:
        return ()
    limit = float("inf") if duration is None else duration
    if duration is not None:
        minimum = min(minimum, duration / len(phonemes))
    starts = [max(p.start, 0.0) for p in phonemes]
    ends = [max(p.end, starts[i]) for i, p in enumerate(phonemes)]
    for i in range(1, len(phonemes)):
        before = ends[i - 1] - starts[i - 1]
        touching = abs(starts[i] - ends[i - 1]) <= 1e-9
        if ends[i] - starts[i] < minimum and touching and before >= 2 * minimum:
            end = max(ends[i], ends[i - 1])
            middle = (starts[i - 1] + end) / 2
            ends[i - 1], starts[i], ends[i] = middle, middle, end
    previous = 0.0
    for i in range(len(phonemes)):
        starts[i] = max(starts[i], previous)
        ends[i] = max(ends[i], starts[i] + minimum)
        previous = ends[i]
    following = limit
    for i in range(len(phonemes) - 1, -1, -1):
        ends[i] = min(ends[i], following)
        starts[i] = min(starts[i], ends[i] - minimum)
        following = starts[i]
    return tuple(
        p
        if (p.start, p.end) == (s, e)
        else TimedPhoneme(p.symbol, s, e, p.arpabet, p.stress, p.word_index)
        for p, s, e in zip(phonemes, starts, ends, strict=True)
    )


def bridged(phonemes: Sequence[TimedPhoneme], longest: float) -> tuple[TimedPhoneme, ...]:
    """``phonemes`` (ordered) where every gap of at most ``longest`` seconds between two of
    them is shared out: they meet in its middle, so the gap shows no rest."""
    out = list(phonemes)
    for i in range(1, len(out)):
        gap = out[i].start - out[i - 1].end
        if 0 < gap <= longest:
            middle = out[i - 1].end + gap / 2
            out[i - 1] = replace(out[i - 1], end=middle)
            out[i] = replace(out[i], start=middle)
    return tuple(out)


def words_from_phonemes(
    words: Sequence[TextWord], phonemes: Sequence[TimedPhoneme]
) -> tuple[TimedWord, ...]:
    """Each word timed from the first to the last of its phonemes (by ``word_index``).
    ``ValueError`` if a word has no phoneme."""
    spans: dict[int, tuple[float, float]] = {}
    for p in phonemes:
        if p.word_index is None:
            continue
        start, _ = spans.get(p.word_index, (p.start, p.end))
        spans[p.word_index] = (start, p.end)
    missing = [w.text for i, w in enumerate(words) if i not in spans]
    if missing:
        raise ValueError(f"words without a phoneme: {missing}")
    return tuple(
        TimedWord(w.text, spans[i][0], spans[i][1], w.char_start, w.char_end)
        for i, w in enumerate(words)
    )


def retime(alignment: Alignment, to: Callable[[float], float], duration: float) -> Alignment:
    """``alignment`` with every time ``t`` moved to ``to(t)`` (non-decreasing), spans kept at
    least ``MIN_SPAN_SECONDS`` inside ``[0, duration]``, words re-timed from their phonemes
    (when every phoneme of a word carries ``word_index``; else moved the same way), each
    keeping its confidence."""
    moved = [replace(p, start=to(p.start), end=to(p.end)) for p in alignment.phonemes]
    phonemes = spread_spans(moved, duration)
    owned = {p.word_index for p in phonemes if p.word_index is not None}
    words = [TextWord(w.text, w.char_start, w.char_end) for w in alignment.words]
    if owned == set(range(len(words))):
        timed_words = words_from_phonemes(words, phonemes)
        kept = (
            replace(t, confidence=w.confidence)
            for t, w in zip(timed_words, alignment.words, strict=True)
        )
        return Alignment(phonemes, tuple(kept))
    timed = tuple(replace(w, start=to(w.start), end=to(w.end)) for w in alignment.words)
    return Alignment(phonemes, timed)


def check_words(text: str, alignment: Alignment) -> None:
    """``ValueError`` unless ``alignment`` has one word per word of ``text``, in order, with
    its offsets, every span longer than zero, and phoneme word indices valid and
    non-decreasing, each word owning one phoneme at least. A guard adapters and tests run."""
    expected = text_words(text)
    got = [(w.text, w.char_start, w.char_end) for w in alignment.words]
    want = [(w.text, w.char_start, w.char_end) for w in expected]
    if got != want:
        raise ValueError(f"words {got} are not the words of the text {want}")
    spans: list[TimedPhoneme | TimedWord] = [*alignment.phonemes, *alignment.words]
    for span in spans:
        if not span.end > span.start:
            raise ValueError(f"{span!r} has no length")
    indices = [p.word_index for p in alignment.phonemes if p.word_index is not None]
    if any(not 0 <= i < len(expected) for i in indices):
        raise ValueError(f"a phoneme's word_index is outside 0..{len(expected) - 1}")
    if any(b < a for a, b in pairwise(indices)):
        raise ValueError("phoneme word indices go backwards")
    if set(indices) != set(range(len(expected))):
        raise ValueError("a word owns no phoneme")
