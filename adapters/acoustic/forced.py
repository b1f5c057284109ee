"""Forced alignment of a transcript to audio with the phone model (US English, 5 ms frames).

The transcript becomes phones with espeak-ng's US English (``lexicon``); the model gives every
5 ms frame of the audio a log posterior per phone; Viterbi (``viterbi``) finds the best path
through the phones, with optional pauses before, between and after words. A phone's onset is
the middle of the frame before its first frame (the frame labels were made that way). Each
word's confidence (0..1) says how far its frames' phones fall behind the model's best guess.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from avatar_service.adapters.acoustic import features
from avatar_service.adapters.acoustic.lexicon import Lexicon, LexiconPhone
from avatar_service.adapters.acoustic.model import SILENCE, LogPosteriors, PhoneModel
from avatar_service.adapters.acoustic.viterbi import StatePlan, best_path
from avatar_service.core.phonemes import IPA_TO_ARPABET
from avatar_service.core.speech import Alignment, TimedPhoneme
from avatar_service.core.words import TextWord, spread_spans, words_from_phonemes

FRAME = features.FRAME_SECONDS
CONFIDENCE_MIDPOINT = -1.75
"""Mean log-posterior shortfall per frame that scores 0.5 (see ``_confidence``). With the wide
model, on the truth corpus' tuning split, words of the right transcript fall short by 0.05 at
the median (0.91 at the 5th percentile, 1.56 at the 1st), words of another sentence's
transcript by 2.4; on voices the model never heard (espeak-ng en-us, en-us+f3), right words
by 0.0 at the median (1.52 at the 5th percentile, 3.0 at the 1st)."""
PRIOR_FRAMES = 3
"""Frames of no shortfall added to every word: a word of two or three frames ("a") is not
judged on them alone."""


INTERCHANGEABLE: tuple[frozenset[str], ...] = (
    frozenset({"ə", "ɐ", "ᵻ", "ɪ", "ʌ"}),
    frozenset({"ɾ", "t", "d"}),
    frozenset({"ɚ", "ɜː"}),
    frozenset({"i", "iː"}),
)
"""Phones a speaker swaps without changing the word (reduced vowels, a flapped t or d): a
transcript's phone scores as the best of its group, so a schwa spoken for ``ɐ`` neither
shifts a boundary nor lowers a word's confidence."""


SHORT_FRAMES = 3
SHORT_PENALTY = -4.0
"""A phone held under ``SHORT_FRAMES`` frames (15 ms) counts that many frames short, each
``SHORT_PENALTY``, against its word: a transcript that does not fit the audio squeezes its
phones into single frames to get past sounds it does not have."""


class TooManyPhones(ValueError):
    """The transcript needs more phones than the audio has frames."""


def force_align(
    model: PhoneModel,
    lexicon: Lexicon,
    audio16: npt.NDArray[np.floating],
    text: str,
    duration: float | None = None,
    *,
    logp: LogPosteriors | None = None,
) -> Alignment:
    """``text``'s phones and words in 16 kHz ``audio16`` (the recording's own ``duration``,
    which resampling may have rounded, bounds every time); every word has a confidence.
    ``logp``: the model's posteriors of ``audio16`` when the caller has them already.
    ``TooManyPhones`` when the audio is too short to hold them."""
    if duration is None:
        duration = len(audio16) / features.RATE
    phones, words = lexicon.phones(text)
    if logp is None:
        logp = model.posteriors(audio16)
    if len(phones) > logp.shape[0]:
        raise TooManyPhones(f"{len(phones)} phones cannot fit in {duration:.2f} s")
    scores, plan, owners = _plan(model, logp, phones)
    path = best_path(scores, plan)
    return _timed(logp, scores, plan, owners, path, phones, words, duration)


def _plan(
    model: PhoneModel, logp: npt.NDArray[np.float32], phones: tuple[LexiconPhone, ...]
) -> tuple[npt.NDArray[np.float32], StatePlan, list[int | None]]:
    """Scores with a wildcard column (the best phone, for symbols the model lacks) and one
    column per group of interchangeable phones (the best of the group), the states, and each
    state's phone index (``None`` for pauses)."""
    silence = model.class_of(SILENCE) or 0
    phone_columns = np.ones(logp.shape[1], np.bool_)
    phone_columns[silence] = False
    wildcard = logp.shape[1]
    extra = [logp[:, phone_columns].max(axis=1)]
    group_column: dict[int, int] = {}
    for group in INTERCHANGEABLE:
        members = sorted(
            {c for c in (model.class_of(s) for s in group) if c not in (None, silence)}
        )
        if len(members) > 1:
            for member in members:
                group_column[member] = wildcard + len(extra)
            extra.append(logp[:, members].max(axis=1))
    scores = np.concatenate([logp, np.stack(extra, axis=1)], 1)
    columns: list[int] = [silence]
    optional: list[bool] = [True]
    owners: list[int | None] = [None]
    for index, phone in enumerate(phones):
        if index and phone.word_index != phones[index - 1].word_index:
            columns.append(silence)
            optional.append(True)
            owners.append(None)
        found = model.class_of(phone.symbol)
        if found is None or found == silence:
            columns.append(wildcard)
        else:
            columns.append(group_column.get(found, found))
        optional.append(False)
        owners.append(index)
    columns.append(silence)
    optional.append(True)
    owners.append(None)
    plan = StatePlan(np.array(columns, np.intp), np.array(optional, np.bool_))
    return scores.astype(np.float32), plan, owners


def _timed(
    logp: npt.NDArray[np.float32],
    scores: npt.NDArray[np.float32],
    plan: StatePlan,
    owners: list[int | None],
    path: npt.NDArray[np.intp],
    phones: tuple[LexiconPhone, ...],
    words: tuple[TextWord, ...],
    duration: float,
) -> Alignment:
    frames = path.size
    changes = np.flatnonzero(np.diff(path)) + 1
    segment_starts = np.concatenate([[0], changes])
    segment_states = path[segment_starts]
    # Where two states meet between frames k - 1 and k, the boundary is where the difference
    # of their scores crosses zero (linear between the two frames' centres), else midway.
    columns = plan.columns[path]
    crossing = [0.0] * len(segment_starts)
    for i in range(1, len(segment_starts)):
        k = int(segment_starts[i])
        before = float(scores[k - 1, columns[k - 1]] - scores[k - 1, columns[k]])
        after = float(scores[k, columns[k - 1]] - scores[k, columns[k]])
        share = before / (before - after) if before > 0 > after else 0.5
        crossing[i] = max(0.0, (k - 1 + share) * FRAME)
    onset = {int(s): crossing[i] for i, s in enumerate(segment_states)}
    finish = {
        int(s): min(duration, crossing[i + 1]) if i + 1 < len(segment_states) else duration
        for i, s in enumerate(segment_states)
    }
    shortfall = scores[np.arange(frames), plan.columns[path]] - logp.max(axis=1)
    segment_ends = [*segment_starts[1:].tolist(), frames]
    held = {
        int(s): (int(a), int(b))
        for s, a, b in zip(segment_states, segment_starts, segment_ends, strict=True)
    }
    # Per word: the summed shortfall of its frames and how many. A pause counts against the
    # word after it (the last pause against the last word): a transcript that does not fit
    # lets pauses swallow speech, which the model hears.
    totals = [0.0] * len(words)
    counts = [0] * len(words)
    next_word = len(words) - 1
    for state in range(len(owners) - 1, -1, -1):
        owner = owners[state]
        word = next_word if owner is None else phones[owner].word_index
        first, last = held.get(state, (0, 0))
        totals[word] += float(shortfall[first:last].sum())
        counts[word] += last - first
        if owner is not None:
            short = max(0, SHORT_FRAMES - (last - first))
            totals[word] += SHORT_PENALTY * short
            counts[word] += short
            next_word = word
    timed = [
        TimedPhoneme(
            phones[owner].symbol,
            onset[state],
            finish[state],
            IPA_TO_ARPABET.get(phones[owner].symbol),
            phones[owner].stress,
            phones[owner].word_index,
        )
        for state, owner in enumerate(owners)
        if owner is not None
    ]
    spread = spread_spans(timed, duration)
    timed_words = words_from_phonemes(words, spread)
    return Alignment(
        spread,
        tuple(
            replace(w, confidence=_confidence(totals[i], counts[i]))
            for i, w in enumerate(timed_words)
        ),
    )


def _confidence(total: float, count: int) -> float:
    """0..1 from a word's ``total`` shortfall over ``count`` frames (per frame: log posterior
    of its path's phone minus the best phone's, <= 0): none is 1.0; ``CONFIDENCE_MIDPOINT``
    per frame on average (``PRIOR_FRAMES`` added) is 0.5."""
    if not count:
        return 0.0
    mean = total / (count + PRIOR_FRAMES)
    return 1.0 / (1.0 + math.exp(-(mean - CONFIDENCE_MIDPOINT) * 2.5)) if mean < 0 else 1.0
