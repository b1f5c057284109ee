"""The truth corpus: real Piper speech (en_US-joe-medium) with times from its own durations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from avatar_service.contracts.truth_audio import add_noise, add_reverb, resample
from avatar_service.contracts.truth_corpus import (
    DEFAULT_CONDITIONS,
    SENTENCES,
    Condition,
    TruthVoice,
    truth_clips,
)
from avatar_service.contracts.truth_timing import WORD

ONE = [s for s in SENTENCES if s.sentence_id == "h06"]  # "I can't believe how quickly ..."


@pytest.fixture(scope="module")
def voice() -> TruthVoice:
    return TruthVoice()


def test_splits_are_fixed_and_disjoint() -> None:
    tuning = {s.text for s in SENTENCES if s.split == "tuning"}
    heldout = {s.text for s in SENTENCES if s.split == "heldout"}
    assert len(tuning) == 40 and len(heldout) == 16
    assert not tuning & heldout


def test_every_word_of_the_text_has_a_true_onset_in_order(voice: TruthVoice) -> None:
    for clip in truth_clips("tuning", [Condition(1.0, 16000)], voice=voice):
        assert [w.text for w in clip.words] == WORD.findall(clip.text)
        onsets = [w.onset for w in clip.words]
        assert onsets == sorted(onsets) and onsets[0] >= 0 and clip.words[-1].end <= clip.duration
        for phone in clip.phones:
            word = clip.words[phone.word_index]
            assert word.onset <= phone.onset < phone.end <= word.end


def test_slower_speech_moves_every_onset_later(voice: TruthVoice) -> None:
    fast, slow = truth_clips(
        "heldout", [Condition(0.8, 16000), Condition(1.4, 16000)], sentences=ONE, voice=voice
    )
    assert slow.duration > 1.3 * fast.duration
    assert all(s.onset >= f.onset for f, s in zip(fast.words[1:], slow.words[1:], strict=True))


def test_clips_are_the_same_on_every_build(voice: TruthVoice, tmp_path: Path) -> None:
    conditions = [Condition(1.2, 44100, snr_db=20.0, rt60=0.3)]
    cached = truth_clips("heldout", conditions, sentences=ONE, voice=voice)[0]
    fresh_voice = TruthVoice(cache_dir=tmp_path)  # no cache: the model speaks again
    fresh = truth_clips("heldout", conditions, sentences=ONE, voice=fresh_voice)[0]
    assert fresh.phones == cached.phones and fresh.words == cached.words
    np.testing.assert_array_equal(fresh.samples, cached.samples)
    assert len(list(tmp_path.glob("piper-*.onnx"))) == 1  # patched once, keyed by sha256
    assert len(list((tmp_path / "speech").glob("*.npz"))) == 1


def test_default_conditions_cover_rates_noise_reverb_and_two_sample_rates() -> None:
    assert {c.length_scale for c in DEFAULT_CONDITIONS} == {0.8, 1.0, 1.2, 1.4}
    assert {c.sample_rate for c in DEFAULT_CONDITIONS} == {16000, 44100}
    assert any(c.snr_db for c in DEFAULT_CONDITIONS) and any(c.rt60 for c in DEFAULT_CONDITIONS)


def _onset(samples: np.ndarray, rate: int) -> float:
    envelope = np.abs(samples)
    return float(np.argmax(envelope > 0.5 * envelope.max()) / rate)


def test_conditions_do_not_move_sounds_in_time() -> None:
    rate = 22050
    click = np.zeros(rate, np.float32)
    click[int(0.3 * rate) : int(0.32 * rate)] = 0.8
    for target in (16000, 44100):
        moved = resample(click, rate, target)
        assert len(moved) == round(rate * target / rate)
        assert abs(_onset(moved, target) - 0.3) < 0.001
    assert abs(_onset(add_reverb(click, rate, 0.4, seed=1), rate) - 0.3) < 0.001
    noisy = add_noise(click, rate, 20.0, seed=1)
    assert abs(_onset(noisy, rate) - 0.3) < 0.001
    np.testing.assert_array_equal(noisy, add_noise(click, rate, 20.0, seed=1))
