"""Forced alignment of a transcript to audio with the phone model (US English, 5 ms frames).

The transcript becomes phones with espeak-ng's US English (``lexicon``); the model gives every
5 ms frame of the audio a log posterior per phone; Viterbi (``viterbi``) finds the best path
through the phones, with optional pauses before, between and after words, each phone held at
least ``MIN_PHONE_FRAMES`` frames. A phone's onset is the middle of the frame before its first
frame (the frame labels were made that way). Each word's confidence (0..1) says how far its
frames' phones fall behind the model's best guess on the path where a phone may be one frame
long (a transcript that does not fit squeezes its phones there: see ``SHORT_PENALTY``); both
paths come from one sweep (``viterbi.best_paths``).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from avatar_service.adapters.acoustic import features
from avatar_service.adapters.acoustic.lexicon import Lexicon, LexiconPhone
from avatar_service.adapters.acoustic.model import SILENCE, LogPosteriors, PhoneModel
from avatar_service.adapters.acoustic.viterbi import StatePlan, best_paths
from avatar_service.core.phonemes import IPA_TO_ARPABET
from avatar_service.core.speech import Alignment, TimedPhoneme
from avatar_service.core.words import spread_spans, words_from_phonemes

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


MIN_PHONE_FRAMES = 4
"""The shortest a phone is timed (20 ms; fewer when the audio holds fewer frames per phone).
Chosen on the truth corpus' tuning split against one frame: boundary F1@20ms 0.860 -> 0.887,
word onset p90 25.1 -> 21.2 ms, shapes held over three differing phones with a transcript
8 -> 1; on the tuning sentences spoken by espeak-ng F1 0.951 -> 0.954. Confidences stay those
of the one-frame path: on the four-frame path, right transcripts of espeak-ng speech, whose
phones can be shorter, fell under the refusal line."""


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
    frames = logp.shape[0]
    if len(phones) > frames:
        raise TooManyPhones(f"{len(phones)} phones cannot fit in {duration:.2f} s")
    scores, group_columns = _scores(model, logp)
    wildcard = logp.shape[1]
    min_frames = min(MIN_PHONE_FRAMES, frames // max(1, len(phones)))
    plans = [_plan(model, phones, group_columns, wildcard, n) for n in sorted({1, min_frames})]
    paths = best_paths(scores, [plan for plan, _ in plans])
    (judged, judged_owners), judged_path = plans[0], paths[0]  # the one-frame path
    (plan, owners), path = plans[-1], paths[-1]
    confidences = _confidences(logp, scores, judged, judged_owners, judged_path, phones, len(words))
    timed = _timed(scores, plan, owners, path, phones, duration)
    timed_words = words_from_phonemes(words, timed)
    return Alignment(
        timed,
        tuple(replace(w, confidence=c) for w, c in zip(timed_words, confidences, strict=True)),
    )


def _scores(
    model: PhoneModel, logp: npt.NDArray[np.float32]
) -> tuple[npt.NDArray[np.float32], dict[int, int]]:
    """``logp`` with a wildcard column after its own (the best phone, for symbols the model
    lacks) and one column per group of interchangeable phones (the best of the group), and
    each grouped class's column."""
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
    return scores.astype(np.float32), group_column


def _plan(
    model: PhoneModel,
    phones: tuple[LexiconPhone, ...],
    group_column: dict[int, int],
    wildcard: int,
    min_frames: int,
) -> tuple[StatePlan, list[int | None]]:
    """The states (``min_frames`` chained ones per phone, so it holds that many frames at
    least; an optional pause before, between words and after), each with its score column (a
    group's, or ``wildcard`` for a symbol the model lacks) and whether it may be skipped; and
    each state's phone index (``None`` for pauses)."""
    silence = model.class_of(SILENCE) or 0
    columns: list[int] = [silence]
    optional: list[bool] = [True]
    owners: list[int | None] = [None]
    for index, phone in enumerate(phones):
        if index and phone.word_index != phones[index - 1].word_index:
            columns.append(silence)
            optional.append(True)
            owners.append(None)
        found = model.class_of(phone.symbol)
        column = wildcard if found is None or found == silence else group_column.get(found, found)
        columns.extend([column] * min_frames)
        optional.extend([False] * min_frames)
        owners.extend([index] * min_frames)
    columns.append(silence)
    optional.append(True)
    owners.append(None)
    return StatePlan(np.array(columns, np.intp), np.array(optional, np.bool_)), owners


def _held(path: npt.NDArray[np.intp]) -> dict[int, tuple[int, int]]:
    """Each state on ``path``: its first frame and the frame after its last."""
    changes = np.flatnonzero(np.diff(path)) + 1
    starts = [0, *changes.tolist()]
    ends = [*changes.tolist(), path.size]
    return {int(path[a]): (a, b) for a, b in zip(starts, ends, strict=True)}


def _confidences(
    logp: npt.NDArray[np.float32],
    scores: npt.NDArray[np.float32],
    plan: StatePlan,
    owners: list[int | None],
    path: npt.NDArray[np.intp],
    phones: tuple[LexiconPhone, ...],
    word_count: int,
) -> list[float]:
    """Each word's confidence on ``path`` (one state per phone): the summed shortfall of its
    frames, and ``SHORT_PENALTY`` for each frame a phone is held under ``SHORT_FRAMES``. A
    pause counts against the word after it (the last pause against the last word): a
    transcript that does not fit lets pauses swallow speech, which the model hears."""
    shortfall = scores[np.arange(path.size), plan.columns[path]] - logp.max(axis=1)
    held = _held(path)
    totals = [0.0] * word_count
    counts = [0] * word_count
    next_word = word_count - 1
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
    return [_confidence(total, count) for total, count in zip(totals, counts, strict=True)]


def _timed(
    scores: npt.NDArray[np.float32],
    plan: StatePlan,
    owners: list[int | None],
    path: npt.NDArray[np.intp],
    phones: tuple[LexiconPhone, ...],
    duration: float,
) -> tuple[TimedPhoneme, ...]:
    """The phones' times on ``path``. Where two phones meet between frames k - 1 and k, the
    boundary is where the difference of their scores crosses zero (linear between the two
    frames' centres), else midway."""
    columns = plan.columns[path]
    held = list(_held(path).items())  # in path order: states only ever move on
    onset: dict[int, float] = {}
    finish: dict[int, float] = {}
    boundaries = [0.0]
    for _, (k, _) in held[1:]:
        before = float(scores[k - 1, columns[k - 1]] - scores[k - 1, columns[k]])
        after = float(scores[k, columns[k - 1]] - scores[k, columns[k]])
        share = before / (before - after) if before > 0 > after else 0.5
        boundaries.append(max(0.0, (k - 1 + share) * FRAME))
    boundaries.append(duration)
    for i, (state, _) in enumerate(held):
        owner = owners[state]
        if owner is None:
            continue
        onset.setdefault(owner, boundaries[i])
        finish[owner] = min(duration, boundaries[i + 1])
    timed = [
        TimedPhoneme(
            phone.symbol,
            onset[index],
            finish[index],
            IPA_TO_ARPABET.get(phone.symbol),
            phone.stress,
            phone.word_index,
        )
        for index, phone in enumerate(phones)
    ]
    return spread_spans(timed, duration)


def _confidence(total: float, count: int) -> float:
    """0..1 from a word's ``total`` shortfall over ``count`` frames (per frame: log posterior
    of its path's phone minus the best phone's, <= 0): none is 1.0; ``CONFIDENCE_MIDPOINT``
    per frame on average (``PRIOR_FRAMES`` added) is 0.5."""
    if not count:
        return 0.0
    mean = total / (count + PRIOR_FRAMES)
    return 1.0 / (1.0 + math.exp(-(mean - CONFIDENCE_MIDPOINT) * 2.5)) if mean < 0 else 1.0
