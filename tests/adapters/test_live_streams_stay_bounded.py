"""A live stream's work stays the same however long it runs: each recogniser reports the
phones after its final ones only (``HeardPhones.since``), and the listening session works on
the cues after its final ones only; neither changes what the client ends up holding."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from avatar_service.adapters.recognizer.phonenet_phones import PhoneNetRecognizer
from avatar_service.adapters.recognizer.pocketsphinx_phones import PocketsphinxRecognizer
from avatar_service.core.ports import PhoneStream, StreamingRecognizer
from avatar_service.core.recognition import HeardPhones
from avatar_service.core.speech import Alignment, FloatArray, TimedPhoneme
from avatar_service.core.usecases.listening import ListenSession

sys.path.insert(0, str(Path(__file__).parent))
from joe_speech import joe_speech

STEP_SECONDS = 0.02


@pytest.fixture(scope="module")
def long_take() -> tuple[FloatArray, int]:
    """About 36 s: a sentence said over and over with 0.4 s pauses and a little room noise."""
    speech = joe_speech("Bob bought a map of Memphis, maybe by the pub.")
    pause = np.zeros(int(speech.sample_rate * 0.4), np.float32)
    take = np.concatenate([np.concatenate([speech.samples, pause])] * 12)
    room = 0.002 * np.random.default_rng(9).standard_normal(len(take)).astype(np.float32)
    return take + room, speech.sample_rate


class WholeStream(PhoneStream):
    """``stream`` reporting every phone heard so far each time, nothing final (what a stream
    that never moves ``since`` on gives)."""

    def __init__(self, stream: PhoneStream) -> None:
        self._stream = stream
        self._final: list[TimedPhoneme] = []
        self._latest = HeardPhones(())

    def feed(self, samples: FloatArray) -> HeardPhones:
        result = self._stream.feed(samples)
        self._final += self._latest.finalised_by(result)
        self._latest = result
        return HeardPhones((*self._final, *result.phones))

    def close(self) -> None:
        self._stream.close()


def _unused(samples: FloatArray, rate: int, text: str) -> Alignment:
    raise AssertionError("no transcript is sent")


def _held_cues(stream: PhoneStream, take: FloatArray, rate: int) -> list[tuple[str, float]]:
    """The cue list a client holds at the end of ``take``, sent in 20 ms chunks."""
    session = ListenSession(stream, rate, "rhubarb", _unused, max_seconds=120)
    held: list[tuple[str, float]] = []
    step = int(rate * STEP_SECONDS)
    for start in range(0, len(take), step):
        for cue in session.feed(take[start : start + step]).cues:
            held = [c for c in held if c[1] < cue.start] + [(cue.viseme, cue.start)]
    session.close()
    return held


@pytest.fixture(scope="module")
def phonenet() -> PhoneNetRecognizer:
    return PhoneNetRecognizer()


@pytest.mark.parametrize(
    ("make", "most_phones", "most_behind"),
    [
        (PhoneNetRecognizer, 20, 1.5),  # final 200-400 ms behind
        (PocketsphinxRecognizer, 200, 14.0),  # final at the first pause after 10 s
    ],
    ids=["phonenet", "pocketsphinx"],
)
def test_a_stream_reports_few_phones_however_long_it_runs(
    make: Callable[[], StreamingRecognizer],
    most_phones: int,
    most_behind: float,
    long_take: tuple[FloatArray, int],
) -> None:
    take, rate = long_take
    stream = make().open_stream(rate)
    step = int(rate * STEP_SECONDS)
    sizes, behind = [], []
    for start in range(0, len(take), step):
        result = stream.feed(take[start : start + step])
        sizes.append(len(result.phones))
        behind.append(min(len(take), start + step) / rate - result.since)
    stream.close()
    assert max(sizes) <= most_phones and max(behind) <= most_behind


def test_a_phonenet_stream_gives_the_phones_its_whole_path_gives(
    phonenet: PhoneNetRecognizer, long_take: tuple[FloatArray, int]
) -> None:
    """Every 5 s, the final phones and the latest result are what the phone loop's whole
    best path gives (read from the stream's own decoder and gate)."""
    take, rate = long_take
    step = int(rate * STEP_SECONDS)
    stream = phonenet.open_stream(rate)
    final: list[TimedPhoneme] = []
    latest = HeardPhones(())
    checked = 0
    for index, start in enumerate(range(0, len(take), step)):
        result = stream.feed(take[start : start + step])
        final += latest.finalised_by(result)
        latest = result
        if index % 250 == 249:
            heard = min(len(take), start + step) / rate
            path = stream._decoder.segments()  # type: ignore[attr-defined]
            whole = phonenet.live_phones(path, stream._gate, heard, 0)  # type: ignore[attr-defined]
            assert (*final, *latest.phones) == tuple(phone for _, phone in whole)
            checked += 1
    stream.close()
    assert checked >= 5 and len(final) > 200


@pytest.mark.parametrize(
    "make", [PhoneNetRecognizer, PocketsphinxRecognizer], ids=["phonenet", "pocketsphinx"]
)
def test_a_listening_session_leaves_the_client_the_cues_a_whole_stream_gives(
    make: Callable[[], StreamingRecognizer], long_take: tuple[FloatArray, int]
) -> None:
    take, rate = long_take
    recognizer = make()
    windowed = _held_cues(recognizer.open_stream(rate), take, rate)
    whole = _held_cues(WholeStream(recognizer.open_stream(rate)), take, rate)
    assert len(windowed) > 300
    assert windowed == whole
