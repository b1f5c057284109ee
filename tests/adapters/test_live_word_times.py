"""Word times sent on a live stream of real speech (the Piper voice en_US-joe-medium, whose own
durations give the true word and phone times), on each real recogniser: the corrected cues
close the lips at the bilabials, open the mouth at the vowels of the words sent and never
rest it inside a word (the stream alone rests it for about 5% of the words' time here)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from support import IN_MEMORY, MOCK_SPEECH

from avatar_service.core.phonemes import base_symbol
from avatar_service.core.speech import Speech
from avatar_service.core.word_timings import WordSpan
from avatar_service.entrypoints.bootstrap import Container, bootstrap
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

sys.path.insert(0, str(Path(__file__).parent))
from joe_speech import joe_speech

VOWELS = set("iɪeɛæaɑɒɔoʊuʌəɜɝɚ")


def _open(shape: str, vowel: str) -> bool:
    """An open shape (C-F, or B for the close front vowels), as ``bench recognise`` counts."""
    return shape in "CDEF" or (shape == "B" and base_symbol(vowel)[:1] in "iɪy")


@pytest.fixture(scope="module", params=["phonenet", "pocketsphinx"])
def container(request: pytest.FixtureRequest) -> Container:
    settings = Settings(**MOCK_SPEECH, **IN_MEMORY, recognizer=request.param, _env_file=None)
    return bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))


@pytest.fixture(scope="module")
def speech() -> Speech:
    return joe_speech("Bob bought a map of Memphis, maybe by the pub.")


def test_word_times_sent_after_the_audio_put_the_mouth_where_the_words_are(
    container: Container, speech: Speech
) -> None:
    assert speech.words is not None and speech.phonemes is not None
    session = container.recognition.listen(speech.sample_rate, "rhubarb")
    held: list[tuple[str, float]] = []
    step = speech.sample_rate // 50
    updates = [
        session.feed(speech.samples[start : start + step])
        for start in range(0, len(speech.samples), step)
    ]
    updates.append(session.words([WordSpan(w.text, w.start, w.end) for w in speech.words]))
    session.close()
    for update in updates:
        for cue in update.cues:
            held = [c for c in held if c[1] < cue.start] + [(cue.viseme, cue.start)]
    assert [(w.text, w.start, w.end) for w in updates[-1].words] == [
        (w.text, w.start, w.end) for w in speech.words
    ]
    ends = [start for _, start in held[1:]] + [speech.duration]

    def shape_at(t: float) -> str:
        return next(v for (v, s), e in zip(held, ends, strict=True) if s <= t < e)

    def closed_near(t: float) -> bool:
        return any(
            v in "AX" and s < t + 0.04 and e > t - 0.04
            for (v, s), e in zip(held, ends, strict=True)
        )

    bilabials = [p for p in speech.phonemes if base_symbol(p.symbol) in ("p", "b", "m")]
    vowels = [p for p in speech.phonemes if base_symbol(p.symbol)[:1] in VOWELS]
    closed = np.mean([closed_near(p.start) for p in bilabials])
    opened = np.mean([_open(shape_at((p.start + p.end) / 2), p.symbol) for p in vowels])
    assert closed >= 0.9
    assert opened >= 0.9
    inside_words = [
        t
        for t in np.arange(0.0, speech.duration, 0.005)
        if any(w.start <= t < w.end for w in speech.words)
    ]
    assert np.mean([shape_at(t) == "X" for t in inside_words]) <= 0.01


def test_words_sent_over_audio_nothing_was_heard_in_still_move_the_mouth_inside_their_times(
    container: Container,
) -> None:
    """The client knows better than the recogniser: words sent over a quiet room (nothing
    heard) open the mouth within each word's span and nowhere else."""
    rate = 16000
    room = 0.001 * np.random.default_rng(5).standard_normal(2 * rate).astype(np.float32)
    session = container.recognition.listen(rate, "rhubarb")
    held: list[tuple[str, float]] = []
    updates = [session.feed(room[start : start + 320]) for start in range(0, len(room), 320)]
    said = [WordSpan("hello", 0.4, 0.8), WordSpan("there", 1.1, 1.5)]
    updates.append(session.words(said))
    session.close()
    for update in updates:
        for cue in update.cues:
            held = [c for c in held if c[1] < cue.start] + [(cue.viseme, cue.start)]
    moving = [start for viseme, start in held if viseme != "X"]
    assert moving
    assert all(any(w.start <= t < w.end for w in said) for t in moving)
    for word in said:
        assert any(word.start <= t < word.end for t in moving)
    rests = [start for viseme, start in held if viseme == "X"]
    assert any(0.8 - 1e-6 <= t < 1.1 for t in rests)  # the mouth rests between the words
    assert any(t >= 1.5 - 1e-6 for t in rests)  # and after them
