"""The phone-model aligner honours the Aligner contract, places words and phones of real
neural speech (truth corpus, held-out sentences) near their true times, gives every word a
confidence, and refuses a transcript that stops matching the audio, naming where."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from avatar_service.adapters.acoustic.fitting import mismatch_at
from avatar_service.adapters.aligner.phonenet import PhoneNetAligner
from avatar_service.contracts.truth_corpus import TruthClip
from avatar_service.contracts.truth_scores import f1, score
from avatar_service.core.speech import TranscriptMismatch
from avatar_service.core.words import text_words

sys.path.insert(0, str(Path(__file__).parent))
from joe_speech import JoeSpeechAlignerTests, heldout_clip


@pytest.fixture(scope="module")
def aligner() -> PhoneNetAligner:
    return PhoneNetAligner()


@pytest.fixture(scope="module")
def clip() -> TruthClip:
    return heldout_clip("h12")  # "Somebody left a yellow umbrella in the back of the bus."


class TestPhoneNetAligner(JoeSpeechAlignerTests):
    stops_matching = r"stops matching the audio at word 1[0-9]"


def test_phone_boundaries_and_words_land_near_their_true_times(
    aligner: PhoneNetAligner, clip: TruthClip
) -> None:
    alignment = aligner.align(clip.samples, clip.sample_rate, clip.text)
    result = score(clip, alignment)
    assert result.words_present
    assert f1([result]) > 0.8
    errors = [abs(e) for e in result.onset_errors if e is not None]
    assert float(np.median(errors)) < 0.02


def test_every_word_of_the_right_transcript_is_confident(
    aligner: PhoneNetAligner, clip: TruthClip
) -> None:
    words = aligner.align(clip.samples, clip.sample_rate, clip.text).words
    confidences = [w.confidence for w in words]
    assert all(c is not None and 0.5 < c <= 1.0 for c in confidences), confidences


def test_the_same_audio_and_text_align_identically_every_time(
    aligner: PhoneNetAligner, clip: TruthClip
) -> None:
    first = aligner.align(clip.samples, clip.sample_rate, clip.text)
    louder = np.clip(clip.samples * 3.0, -1.0, 1.0).astype(np.float32)
    aligner.align(louder, clip.sample_rate, clip.text)
    assert aligner.align(clip.samples, clip.sample_rate, clip.text) == first


def test_a_long_recording_aligns_in_chunks_like_one_run(clip: TruthClip) -> None:
    from avatar_service.adapters.acoustic import model as phone_model

    audio = np.tile(clip.samples, 12)  # over a minute: several model chunks
    whole = phone_model.PhoneModel()
    chunked = phone_model.PhoneModel()
    from avatar_service.adapters.acoustic import features

    feats = features.normalise(features.log_mel(features.resample(audio, clip.sample_rate)))
    assert feats.shape[0] > phone_model.CHUNK_FRAMES
    original = phone_model.CHUNK_FRAMES
    try:
        phone_model.CHUNK_FRAMES = 10**9
        expected = whole.run(feats)
    finally:
        phone_model.CHUNK_FRAMES = original
    np.testing.assert_allclose(chunked.run(feats), expected, atol=1e-4)


def test_words_keep_their_confidence_at_any_sample_rate(aligner: PhoneNetAligner) -> None:
    clip = heldout_clip("h12", sample_rate=44100)
    words = aligner.align(clip.samples, clip.sample_rate, clip.text).words
    assert all(w.confidence is not None and w.confidence > 0.5 for w in words)
    assert words[-1].end <= clip.duration


def test_a_refusal_carries_the_alignment_it_found(
    aligner: PhoneNetAligner, clip: TruthClip
) -> None:
    text = clip.text + " Then everybody went swimming in the cold river until dinner."
    with pytest.raises(TranscriptMismatch) as caught:
        aligner.align(clip.samples, clip.sample_rate, text)
    words = caught.value.alignment.words
    assert [(w.char_start, w.char_end) for w in words] == [
        (w.char_start, w.char_end) for w in text_words(text)
    ]


def test_scattered_weak_words_making_a_fifth_of_the_transcript_refuse_it() -> None:
    """Another sentence can fit a few words by chance, but not four in five."""
    assert mismatch_at([0.9, 0.1, 0.9, 0.9, 0.1, 0.9, 0.9, 0.9], 0.2) == 1
    assert mismatch_at([0.9, 0.9, 0.9, 0.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9], 0.2) is None


def test_a_run_of_weak_words_refuses_the_transcript_at_its_first_weak_word() -> None:
    assert mismatch_at([0.9, 0.9, 0.1, 0.15, 0.3, 0.9], 0.2) == 2
    assert mismatch_at([0.9, 0.9, 0.9, 0.9, 0.1, 0.3], 0.2) == 4  # nothing after reaches 0.5


def test_no_phone_is_timed_shorter_than_the_minimum_the_audio_allows(
    aligner: PhoneNetAligner,
) -> None:
    """Fast speech, where a one-frame minimum let "I put" shrink to 10 ms."""
    from avatar_service.adapters.acoustic.features import FRAME_SECONDS
    from avatar_service.adapters.acoustic.forced import MIN_PHONE_FRAMES
    from avatar_service.contracts.truth_corpus import SENTENCES, Condition, truth_clips

    chosen = [s for s in SENTENCES if s.sentence_id == "t17"]  # "Could you look at the book I put"
    fast = truth_clips("tuning", [Condition(0.8, 16000)], sentences=chosen)[0]
    phonemes = aligner.align(fast.samples, fast.sample_rate, fast.text).phonemes
    shortest = min(p.end - p.start for p in phonemes)
    # a boundary lies anywhere inside the frame where two phones meet
    assert shortest >= (MIN_PHONE_FRAMES - 1) * FRAME_SECONDS - 1e-9


def test_audio_too_short_for_the_minimum_still_times_every_phone(clip: TruthClip) -> None:
    from avatar_service.adapters.acoustic import features
    from avatar_service.adapters.acoustic.forced import TooManyPhones, force_align
    from avatar_service.adapters.acoustic.lexicon import Lexicon
    from avatar_service.adapters.acoustic.model import WIDE, shared_model

    model, lexicon, text = shared_model(WIDE, None), Lexicon(), "Somebody left a yellow"
    phones = len(lexicon.phones(text)[0])
    audio = features.resample(clip.samples, clip.sample_rate)
    frames_for_two_each = round(2 * phones * features.FRAME_SECONDS * features.RATE)
    alignment = force_align(model, lexicon, audio[:frames_for_two_each], text)
    assert len(alignment.phonemes) == phones
    assert [w.text for w in alignment.words] == ["Somebody", "left", "a", "yellow"]
    with pytest.raises(TooManyPhones):
        force_align(model, lexicon, audio[: frames_for_two_each // 4], text)


@pytest.mark.parametrize("transcript", ["right", "wrong"])
def test_a_long_recording_aligns_as_the_whole_unpruned_sweep_would(
    clip: TruthClip, transcript: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over a minute with its transcript (or another sentence's), past the states from which
    the Viterbi sweep is pruned to a beam: the same phones, times and confidences."""
    from avatar_service.adapters.acoustic import features, forced, viterbi
    from avatar_service.adapters.acoustic.lexicon import Lexicon
    from avatar_service.adapters.acoustic.model import WIDE, shared_model

    model, lexicon = shared_model(WIDE, None), Lexicon()
    sentence = clip.text if transcript == "right" else heldout_clip("h13").text
    text = " ".join([sentence] * 24)
    audio = features.resample(np.tile(clip.samples, 24), clip.sample_rate)
    assert 5 * len(lexicon.phones(text)[0]) > viterbi.PRUNED_FROM_STATES
    pruned = forced.force_align(model, lexicon, audio, text)

    def whole(scores: Any, plans: Any) -> Any:
        return viterbi.best_paths(scores, plans, beam=None)

    monkeypatch.setattr(forced, "best_paths", whole)
    assert forced.force_align(model, lexicon, audio, text) == pruned
