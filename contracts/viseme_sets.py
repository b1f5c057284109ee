"""Contract suite for viseme sets (``core.visemesets.VisemeSetSpec``).

Subclass as ``class TestMine(VisemeSetContract)`` and override the ``viseme_set`` fixture;
a plugin's whole test file can be that. The suite checks the declaration through the
builders that use it: cue timelines (``core.visemes.build_timeline``) and, for a set with
channels, weight curves (``core.curves``).
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from avatar_service.core.curves import MAX_FRAME_STEP, build_curves, closed_lips, frame_count
from avatar_service.core.errors import Invalid
from avatar_service.core.phonemes import SILENCE_SYMBOLS
from avatar_service.core.phonetics import (
    CONSONANTS,
    MODIFIER_LETTERS,
    VOWELS,
    is_bilabial_closure,
    shape_class,
)
from avatar_service.core.speech import TimedPhoneme
from avatar_service.core.visemes import build_timeline
from avatar_service.core.visemesets import VisemeSetSpec

MIN_CUE = 0.04
FPS = 60
INVENTORY = (
    *CONSONANTS,
    *VOWELS,
    *MODIFIER_LETTERS,
    "dʲ",
    "tʲ",
    "ts",
    "tɕ",
    "pf",
    "ã",
    "ɔ̃",
    "ɛ̃",
    "aɪ",
    "aʊ",
    "ɔɪ",
    "eɪ",
    "oʊ",
    "ˈaː",
    "n̩",
    "ʁ",
    "ɲ",
    "β",
    "ð",
    "ɣ",
    "x",
    "y",
    "ø",
    "œ",
)
"""Every IPA letter the features know, lone modifier letters, and sounds of many languages."""


def utterance(seed: int, words: int = 40) -> tuple[list[TimedPhoneme], float]:
    """Words of random consonants and vowels (stress marks included) with pauses, bilabials
    among them as short as real ones (12-35 ms), and the total duration."""
    rng = random.Random(seed)
    consonants = [c for c in CONSONANTS if c != "ʔ"]
    vowels = list(VOWELS)
    out: list[TimedPhoneme] = []
    t = rng.uniform(0.0, 0.3)
    for _ in range(words):
        for _syllable in range(rng.randint(1, 3)):
            onset = rng.choice([*consonants, "p", "b", "m"])
            short = is_bilabial_closure(onset) and rng.random() < 0.6
            length = rng.uniform(0.012, 0.035) if short else rng.uniform(0.03, 0.12)
            out.append(TimedPhoneme(onset, t, t + length))
            t += length
            length = rng.uniform(0.04, 0.2)
            vowel = rng.choice(["ˈ", ""]) + rng.choice(vowels)
            stress = 1 if vowel.startswith("ˈ") else 0
            out.append(TimedPhoneme(vowel.lstrip("ˈ"), t, t + length, stress=stress))
            t += length
        if rng.random() < 0.3:
            t += rng.uniform(0.05, 0.4)  # a pause
    return out, t + rng.uniform(0.0, 0.3)


@pytest.mark.contract
class VisemeSetContract:
    """The behaviour every viseme set must have."""

    @pytest.fixture
    def viseme_set(self) -> VisemeSetSpec:
        raise NotImplementedError("must be overridden in derived classes")

    def test_every_symbol_is_reachable(self, viseme_set: VisemeSetSpec) -> None:
        reached = {viseme_set.symbol_for(p) for p in (*INVENTORY, *viseme_set.phonemes, "_")}
        assert reached == set(viseme_set.symbols), set(viseme_set.symbols) - reached

    def test_silence_covers_silence(self, viseme_set: VisemeSetSpec) -> None:
        for symbol in SILENCE_SYMBOLS:
            assert viseme_set.symbol_for(symbol) == viseme_set.silence
        cues = build_timeline([TimedPhoneme("a", 0.5, 0.7)], 1.2, viseme_set)
        assert (cues[0].viseme, cues[-1].viseme) == (viseme_set.silence, viseme_set.silence)

    def test_a_sound_never_maps_to_silence(self, viseme_set: VisemeSetSpec) -> None:
        # A set whose rest is closed lips (``closure`` None) may show bilabials as its rest.
        closed_is_rest = viseme_set.classes["PP"] == viseme_set.silence
        for phoneme in INVENTORY:
            if shape_class(phoneme) == "sil":
                assert phoneme in ("ʔ", "ˀ"), f"{phoneme} sounds but is silence"
                continue
            if closed_is_rest and shape_class(phoneme) == "PP":
                continue
            assert viseme_set.symbol_for(phoneme) != viseme_set.silence, phoneme

    @pytest.mark.parametrize("seed", range(6))
    def test_cues_are_contiguous_and_cover_the_audio(
        self, viseme_set: VisemeSetSpec, seed: int
    ) -> None:
        phonemes, duration = utterance(seed)
        cues = build_timeline(phonemes, duration, viseme_set, min_cue=MIN_CUE)
        assert cues[0].start == 0.0 and cues[-1].end == duration
        for before, after in itertools.pairwise(cues):
            assert before.end == after.start
            assert before.viseme != after.viseme
        assert all(c.viseme in viseme_set.symbols for c in cues)
        assert all(c.end - c.start >= MIN_CUE - 1e-9 for c in cues)

    @pytest.mark.parametrize("seed", range(6))
    def test_no_bilabial_closure_is_merged_away(self, viseme_set: VisemeSetSpec, seed: int) -> None:
        phonemes, duration = utterance(seed)
        closures = [p for p in phonemes if is_bilabial_closure(p.symbol)]
        assert any(p.end - p.start < MIN_CUE for p in closures), "the test needs short ones"
        cues = build_timeline(phonemes, duration, viseme_set, min_cue=MIN_CUE)
        closed = viseme_set.symbol_for("p")
        for p in closures:
            middle = (p.start + p.end) / 2
            cue = next(c for c in cues if c.start <= middle < c.end)
            assert cue.viseme == closed, f"{p} lies in {cue}"

    @pytest.mark.parametrize("seed", range(3))
    def test_curves_stay_in_range_and_keep_the_sum_constraint(
        self, viseme_set: VisemeSetSpec, seed: int
    ) -> None:
        phonemes, duration = utterance(seed)
        if not viseme_set.has_curves:
            with pytest.raises(Invalid):
                build_curves(phonemes, duration, [viseme_set], FPS)
            return
        curves = build_curves(phonemes, duration, [viseme_set], FPS)[viseme_set.name]
        frames = curves.frames
        assert frames.shape == (frame_count(duration, FPS), len(viseme_set.channels))
        assert curves.names == viseme_set.channels
        assert float(frames.min()) >= 0.0 and float(frames.max()) <= 1.0
        sums = frames.sum(axis=1)
        silence = np.array(viseme_set.target(viseme_set.silence))
        if np.count_nonzero(silence) == 1 and silence.max() == 1.0:
            assert np.allclose(sums, 1.0, atol=1e-4), "one weight per viseme: rows sum to 1"
        else:
            keys = {*viseme_set.symbols, *viseme_set.targets}
            widest = max(sum(viseme_set.target(k)) for k in keys)
            assert float(sums.max()) <= widest + 1e-4, "a frame mixes targets, never adds them"

    @pytest.mark.parametrize("seed", range(3))
    def test_lips_close_at_every_bilabial_and_frames_change_smoothly(
        self, viseme_set: VisemeSetSpec, seed: int
    ) -> None:
        if not viseme_set.has_curves:
            return
        phonemes, duration = utterance(seed)
        curves = build_curves(phonemes, duration, [viseme_set], FPS)[viseme_set.name]
        lips = closed_lips(curves, viseme_set)
        for p in phonemes:
            if is_bilabial_closure(p.symbol):
                frame = round((p.start + p.end) / 2 * FPS)
                assert lips[frame] >= 0.9, f"lips {lips[frame]:.2f} at {p}"
        steps = np.abs(np.diff(curves.frames, axis=0))
        assert float(steps.max()) <= MAX_FRAME_STEP
