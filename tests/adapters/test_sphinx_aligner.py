"""The pocketsphinx aligner honours the Aligner contract, finds words in real neural speech
(truth corpus, held-out sentences), gives every word a confidence, and refuses a transcript
that stops matching the audio, naming where."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from avatar_service.adapters.aligner.sphinx import SphinxAligner
from avatar_service.adapters.aligner.sphinx_lexicon import EspeakG2P, ipa_to_cmu
from avatar_service.contracts.truth_corpus import TruthClip

sys.path.insert(0, str(Path(__file__).parent))
from joe_speech import JoeSpeechAlignerTests, heldout_clip


@pytest.fixture(scope="module")
def aligner() -> SphinxAligner:
    return SphinxAligner()


@pytest.fixture(scope="module")
def clip() -> TruthClip:
    return heldout_clip("h12")  # "Somebody left a yellow umbrella in the back of the bus."


class TestSphinxAligner(JoeSpeechAlignerTests):
    stops_matching = r"stops matching|does not fit"
    wrong_words_at = r"at word 3 'zebras'|at word 4"


def test_words_land_near_their_true_onsets(aligner: SphinxAligner, clip: TruthClip) -> None:
    words = aligner.align(clip.samples, clip.sample_rate, clip.text).words
    assert [(w.char_start, w.char_end) for w in words] == [
        (w.char_start, w.char_end) for w in clip.words
    ]
    errors = [abs(a.start - t.onset) for a, t in zip(words, clip.words, strict=True)]
    assert float(np.median(errors)) < 0.05


def test_every_word_of_the_right_transcript_has_a_confidence(
    aligner: SphinxAligner, clip: TruthClip
) -> None:
    words = aligner.align(clip.samples, clip.sample_rate, clip.text).words
    confidences = [w.confidence for w in words]
    assert all(c is not None and 0.0 <= c <= 1.0 for c in confidences)
    assert float(np.median([c for c in confidences if c is not None])) > 0.5


def test_words_missing_from_the_dictionary_get_espeak_pronunciations(
    aligner: SphinxAligner, clip: TruthClip
) -> None:
    text = clip.text.replace("umbrella", "umbrellaz")
    words = aligner.align(clip.samples, clip.sample_rate, text).words
    assert [w.text for w in words][4] == "umbrellaz"


def test_espeak_ipa_maps_to_cmu_phones() -> None:
    assert ipa_to_cmu("həlˈoʊ") == ["HH", "AH", "L", "OW"]
    assert ipa_to_cmu("tʃˈɜːtʃ") == ["CH", "ER", "CH"]
    assert EspeakG2P().cmu("nineteen") == ["N", "AY", "N", "T", "IY", "N"]


def test_an_alignment_does_not_depend_on_the_audio_aligned_before(clip: TruthClip) -> None:
    fresh = SphinxAligner().align(clip.samples, clip.sample_rate, clip.text)
    used = SphinxAligner()
    for scale in (0.01, 3.0):  # a whisper and a shout of the same words first
        quiet = np.clip(clip.samples * scale, -1.0, 1.0).astype(np.float32)
        used.align(quiet, clip.sample_rate, clip.text)
    assert used.align(clip.samples, clip.sample_rate, clip.text) == fresh


def test_with_every_offset_at_zero_onsets_are_pocketsphinxs_own_frames(
    aligner: SphinxAligner, clip: TruthClip
) -> None:
    raw = SphinxAligner(offset_seconds=0.0, word_offset_seconds=0.0, phone_offsets_ms={})
    own = raw.align(clip.samples, clip.sample_rate, clip.text)
    moved = aligner.align(clip.samples, clip.sample_rate, clip.text)
    frames = [p.start / 0.01 for p in own.phonemes]
    assert all(abs(f - round(f)) < 1e-6 for f in frames)  # pocketsphinx's 10 ms frames
    assert [p.symbol for p in own.phonemes] == [p.symbol for p in moved.phonemes]
    shifts = {
        round(m.start - o.start, 6) for o, m in zip(own.phonemes, moved.phonemes, strict=True)
    }
    assert 0.04 in shifts  # a word's first phone
    assert len(shifts) > 2  # the others, by their phone's offset
