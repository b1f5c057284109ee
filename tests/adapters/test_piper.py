"""The Piper synthesizer, driven through real piper-tts and onnxruntime with a tiny voice built
at test time (tests/adapters/piper_voice.py), honours the SpeechSynthesizer contract."""

from __future__ import annotations

import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support import count_onnx_runs

from avatar_service.adapters.tts.piper import PiperSynthesizer, find_voice_files
from avatar_service.adapters.tts.voice_download import download_voice
from avatar_service.contracts import SpeechSynthesizerContract
from avatar_service.core.errors import Invalid, NotFound, Unavailable
from avatar_service.core.ports import SynthesisRequest
from avatar_service.core.speech import SynthesisOptions

sys.path.insert(0, str(Path(__file__).parent))
from piper_voice import HOP_LENGTH, SAMPLE_RATE, build_voice


@pytest.fixture(scope="module")
def voices_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("voices")
    build_voice(folder, "en_US-tiny-test")
    build_voice(folder, "en_US-tiny-multi", speakers=3)
    build_voice(folder, "en_US-tiny-nodur", durations=False)
    return folder


@pytest.fixture(scope="module")
def piper(voices_dir: Path) -> PiperSynthesizer:
    return PiperSynthesizer(voices_dir=voices_dir, default_voice="en_US-tiny-test")


class TestPiperSynthesizer(SpeechSynthesizerContract):
    @pytest.fixture
    def adapter(self, piper: PiperSynthesizer) -> PiperSynthesizer:
        return piper


def test_voices_come_from_the_folder_with_their_configs(piper: PiperSynthesizer) -> None:
    voices = {v.voice_id: v for v in piper.voices()}
    assert set(voices) == {"en_US-tiny-test", "en_US-tiny-multi", "en_US-tiny-nodur"}
    assert voices["en_US-tiny-multi"].speakers == 3
    assert all(v.sample_rate == SAMPLE_RATE and v.engine == "piper" for v in voices.values())


def test_timings_are_the_models_durations(piper: PiperSynthesizer) -> None:
    """The tiny model gives BOS 2 frames, then each id its table frames: the first phoneme
    starts after BOS, and every boundary falls on a hop."""
    speech = piper.synthesize(SynthesisRequest("Hello there", voice_id="en_US-tiny-test"))
    assert speech.phonemes is not None and speech.words is not None
    assert [p.symbol for p in speech.phonemes][:4] == ["h", "ə", "l", "oʊ"]
    assert speech.phonemes[0].start == pytest.approx(2 * HOP_LENGTH / SAMPLE_RATE)
    for p in speech.phonemes:
        for t in (p.start, p.end):
            assert (t * SAMPLE_RATE / HOP_LENGTH) == pytest.approx(
                round(t * SAMPLE_RATE / HOP_LENGTH)
            )
    assert [(w.text, w.char_start, w.char_end) for w in speech.words] == [
        ("Hello", 0, 5),
        ("there", 6, 11),
    ]


def test_phonemes_are_the_ones_piper_spoke_and_every_word_is_timed(
    piper: PiperSynthesizer,
) -> None:
    """One phonemization, piper-tts' own: the phonemes are its stream cut into phonemes
    (context included: "a" is "ɐ", "for the" one group) and each word owns some of them."""
    text = "Please call me back when you have a moment to talk about the plan for the office."
    speech = piper.synthesize(SynthesisRequest(text))
    assert speech.phonemes is not None and speech.words is not None
    voice = piper._voice(piper._entry(None))
    spoken = "".join(c for sentence in voice.phonemize(text) for c in sentence)
    bare = "".join(c for c in spoken if c not in " ,.ˈˌ")
    assert "".join(p.symbol for p in speech.phonemes) == unicodedata.normalize("NFC", bare)
    assert [w.text for w in speech.words] == text.rstrip(".").split()


def test_rate_scales_the_length(piper: PiperSynthesizer) -> None:
    text = "The quick brown fox jumps over the lazy dog."
    normal = piper.synthesize(SynthesisRequest(text)).duration
    slow = piper.synthesize(SynthesisRequest(text, options=SynthesisOptions(rate=0.5))).duration
    assert slow == pytest.approx(2 * normal, rel=0.1)


def test_speakers_of_a_multi_speaker_voice(piper: PiperSynthesizer) -> None:
    first = piper.synthesize(
        SynthesisRequest(
            "Hello", voice_id="en_US-tiny-multi", options=SynthesisOptions(speaker_id=0)
        )
    )
    third = piper.synthesize(
        SynthesisRequest(
            "Hello", voice_id="en_US-tiny-multi", options=SynthesisOptions(speaker_id=2)
        )
    )
    assert first.duration == third.duration
    assert not (first.samples == third.samples).all()
    with pytest.raises(Invalid) as caught:
        piper.synthesize(
            SynthesisRequest(
                "Hello", voice_id="en_US-tiny-multi", options=SynthesisOptions(speaker_id=3)
            )
        )
    assert caught.value.field == "speaker_id"


def test_a_model_without_durations_gives_no_timings(piper: PiperSynthesizer) -> None:
    speech = piper.synthesize(SynthesisRequest("Hello there", voice_id="en_US-tiny-nodur"))
    assert len(speech.samples) > 0
    assert speech.phonemes is None and speech.words is None


def test_each_voice_loads_once_under_concurrent_first_use(voices_dir: Path) -> None:
    fresh = PiperSynthesizer(voices_dir=voices_dir)
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(
            pool.map(
                lambda _: fresh.synthesize(SynthesisRequest("Hi", voice_id="en_US-tiny-test")),
                range(6),
            )
        )
    assert len(fresh._loaded) == 1


def test_model_runs_at_once_never_exceed_the_concurrency_across_voices(
    voices_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight requests in eight threads, on two voices, with ``concurrency=2``: onnxruntime
    never runs more than two sentences at once, and does run two."""
    most_at_once = count_onnx_runs(monkeypatch)
    bounded = PiperSynthesizer(voices_dir=voices_dir, concurrency=2)
    voices = ["en_US-tiny-test", "en_US-tiny-multi"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        spoken = list(
            pool.map(
                lambda k: bounded.synthesize(SynthesisRequest("Hi there", voice_id=voices[k % 2])),
                range(8),
            )
        )
    assert all(s.samples.size for s in spoken)
    assert most_at_once() == 2


def test_model_path_names_one_voice_and_it_is_the_default(voices_dir: Path) -> None:
    model = voices_dir / "en_US-tiny-multi.onnx"
    assert find_voice_files(model, None) == [model]
    synth = PiperSynthesizer(model_path=model)
    assert [v.voice_id for v in synth.voices()] == ["en_US-tiny-multi"]
    assert synth.synthesize(SynthesisRequest("Hi")).voice_id == "en_US-tiny-multi"


def test_no_voice_configured_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(Unavailable, match="PIPER_MODEL_PATH"):
        PiperSynthesizer(voices_dir=tmp_path).check()


def test_unknown_voice_lists_the_voices(piper: PiperSynthesizer) -> None:
    with pytest.raises(NotFound, match="en_US-tiny-test"):
        piper.synthesize(SynthesisRequest("Hi", voice_id="de_DE-nobody-low"))


def test_download_fails_clearly_when_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")  # nothing listens: offline
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    with pytest.raises(Unavailable, match="cannot download Piper voice 'en_US-lessac-medium'"):
        download_voice("en_US-lessac-medium", tmp_path)
    with pytest.raises(Invalid):
        download_voice("not a voice name", tmp_path)
