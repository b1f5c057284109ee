"""The audio codec: libsndfile formats read at their own rate, other recordings decoded (by
ffmpeg when libsndfile cannot), stored WAV re-encoded; bad input is the core's errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from avatar_service.adapters.audio.codec import FFMPEG_RATE, FileAudioCodec
from avatar_service.adapters.audio.ffmpeg import locate_ffmpeg
from avatar_service.core.audio import encode_wav
from avatar_service.core.errors import Invalid, TooLarge
from avatar_service.core.ports.audio import AudioCodec

TONE = (0.3 * np.sin(2 * np.pi * 220 * np.arange(22050) / 22050)).astype(np.float32)
needs_ffmpeg = pytest.mark.skipif(locate_ffmpeg() is None, reason="ffmpeg not installed")


@pytest.fixture
def codec() -> FileAudioCodec:
    return FileAudioCodec()


def test_it_is_an_audio_codec(codec: FileAudioCodec) -> None:
    assert isinstance(codec, AudioCodec)


def test_a_wav_reads_at_its_own_rate(codec: FileAudioCodec) -> None:
    samples, rate = codec.read(encode_wav(TONE, 22050))
    assert rate == 22050
    assert len(samples) == len(TONE)


def test_limits_and_bad_input_are_core_errors(codec: FileAudioCodec) -> None:
    with pytest.raises(TooLarge):
        codec.read(encode_wav(TONE, 22050), max_seconds=0.5)
    with pytest.raises(Invalid):
        codec.read(b"")
    with pytest.raises(Invalid):
        codec.decode(b"", 10.0)
    with pytest.raises(Invalid):
        codec.media_type("flac")


@pytest.mark.parametrize("rate", [2, 3999, 192_001, 1_092_676, 2_000_000_000])
def test_a_rate_no_recorder_uses_is_invalid(codec: FileAudioCodec, rate: int) -> None:
    with pytest.raises(Invalid) as caught:
        codec.decode(encode_wav(TONE[:1000], rate), 600.0)
    assert caught.value.field == "audio"


@pytest.mark.parametrize("rate", [4000, 8000, 192_000])
def test_every_rate_a_recorder_uses_reads(codec: FileAudioCodec, rate: int) -> None:
    assert codec.decode(encode_wav(TONE[:1000], rate), 600.0)[1] == rate


@needs_ffmpeg
def test_an_mp3_decodes_within_the_limit(codec: FileAudioCodec) -> None:
    mp3 = codec.transcode_wav(encode_wav(TONE, 22050), "mp3")
    assert codec.media_type("mp3") == "audio/mpeg"
    samples, rate = codec.decode(mp3, 10.0)
    assert rate in (22050, FFMPEG_RATE)  # libsndfile reads MP3 from 1.1 on; ffmpeg otherwise
    assert len(samples) > 0


@needs_ffmpeg
def test_an_mp3_decodes_whole(codec: FileAudioCodec) -> None:
    samples, rate = codec.decode(codec.transcode_wav(encode_wav(TONE, 22050), "mp3"), 10.0)
    assert 0.9 < len(samples) / rate < 1.1


@needs_ffmpeg
@pytest.mark.parametrize("fmt", ["mp3", "ogg"])
def test_an_encoded_recording_starts_where_its_wav_starts(fmt: str, tmp_path: Path) -> None:
    """A burst at 0.5 s is at 0.5 s once encoded and decoded (an MP3 written to a pipe has
    no LAME header, so decoders keep the encoder's 50 ms delay), and the whole length is
    kept; no temporary file is left behind."""
    codec = FileAudioCodec(temp_dir=tmp_path)
    rate = 22050
    burst = np.zeros(2 * rate, np.float32)
    burst[rate // 2 : rate // 2 + 200] = 0.8
    samples, decoded_rate = codec.decode(codec.transcode_wav(encode_wav(burst, rate), fmt), 10.0)
    onset = int(np.argmax(np.abs(samples) > 0.2)) / decoded_rate
    assert abs(onset - 0.5) < 0.003
    assert abs(len(samples) / decoded_rate - 2.0) < 0.03
    assert list(tmp_path.iterdir()) == []
