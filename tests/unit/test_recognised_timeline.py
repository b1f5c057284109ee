"""Timelines from recognised phones: an unsure short vowel (ɪ, ᵻ) that would show the same
shape as a consonant touching it shows the set's ə shape instead, so a recognised syllable
always moves the mouth; with a transcript the set's own shapes stand."""

from __future__ import annotations

import numpy as np

from avatar_service.core.ports import PhoneStream
from avatar_service.core.recognition import HeardPhones, recognised_timeline, syllables_opened
from avatar_service.core.speech import Alignment, FloatArray, TimedPhoneme, VisemeCue
from avatar_service.core.usecases.listening import ListenSession
from avatar_service.core.visemes import build_timeline, viseme_for


def phones(*spec: tuple[str, float, float]) -> tuple[TimedPhoneme, ...]:
    return tuple(TimedPhoneme(symbol, start, end) for symbol, start, end in spec)


SIT = phones(("s", 0.1, 0.2), ("ɪ", 0.2, 0.3), ("t", 0.3, 0.4))


def rhubarb(symbol: str) -> str:
    return viseme_for(symbol, "rhubarb")


def shapes(cues: tuple[VisemeCue, ...]) -> list[str]:
    return [cue.viseme for cue in cues]


def test_a_short_vowel_between_consonants_of_its_shape_shows_the_schwa_shape() -> None:
    shown = syllables_opened(SIT, rhubarb)
    assert [p.symbol for p in shown] == ["s", "ə", "t"]
    assert [(p.start, p.end) for p in shown] == [(p.start, p.end) for p in SIT]
    assert shapes(recognised_timeline(SIT, 0.5, "rhubarb", transcribed=False)) == [
        "X",
        "B",
        "C",
        "B",
        "X",
    ]


def test_one_touching_consonant_of_the_same_shape_is_enough() -> None:
    big = phones(("b", 0.1, 0.2), ("ɪ", 0.2, 0.3), ("ɡ", 0.3, 0.4))
    assert [p.symbol for p in syllables_opened(big, rhubarb)] == ["b", "ə", "ɡ"]


def test_a_short_vowel_whose_neighbours_look_different_keeps_its_shape() -> None:
    pick = phones(("p", 0.1, 0.2), ("ɪ", 0.2, 0.3), ("f", 0.3, 0.4))
    assert syllables_opened(pick, rhubarb) == pick


def test_a_neighbour_across_a_rest_does_not_count() -> None:
    apart = phones(("s", 0.1, 0.2), ("ɪ", 0.3, 0.4), ("t", 0.5, 0.6))
    assert syllables_opened(apart, rhubarb) == apart


def test_long_and_open_vowels_are_never_changed() -> None:
    seat = phones(("s", 0.1, 0.2), ("iː", 0.2, 0.4), ("t", 0.4, 0.5))
    assert syllables_opened(seat, rhubarb) == seat
    set_ = phones(("s", 0.1, 0.2), ("ɛ", 0.2, 0.3), ("t", 0.3, 0.4))
    assert syllables_opened(set_, rhubarb) == set_


def test_a_set_whose_vowel_shape_no_consonant_shares_is_unchanged() -> None:
    assert recognised_timeline(SIT, 0.5, "oculus", transcribed=False) == build_timeline(
        SIT, 0.5, "oculus"
    )


def test_with_a_transcript_the_sets_own_shapes_stand() -> None:
    assert shapes(recognised_timeline(SIT, 0.5, "rhubarb", transcribed=True)) == ["X", "B", "X"]


class FixedStream(PhoneStream):
    """Hears ``SIT`` whatever it is fed."""

    def feed(self, samples: FloatArray) -> HeardPhones:
        return HeardPhones(SIT)

    def close(self) -> None:
        return None


def never(samples: FloatArray, rate: int, text: str) -> Alignment:
    raise AssertionError("no transcript was sent")


def test_a_live_stream_opens_the_same_syllables() -> None:
    session = ListenSession(FixedStream(), 16000, "rhubarb", never, max_seconds=10)
    update = session.feed(np.zeros(16000, np.float32))
    assert [(c.viseme, round(c.start, 3)) for c in update.cues] == [
        ("X", 0.0),
        ("B", 0.1),
        ("C", 0.2),
        ("B", 0.3),
        ("X", 0.4),
    ]


def test_a_live_results_phones_before_the_next_results_since_become_final() -> None:
    earlier = HeardPhones(SIT, since=0.0)
    assert earlier.finalised_by(HeardPhones((), since=0.25)) == SIT[:2]
    assert earlier.finalised_by(HeardPhones((), since=0.1)) == ()
    assert earlier.finalised_by(HeardPhones((), since=1.0)) == SIT
