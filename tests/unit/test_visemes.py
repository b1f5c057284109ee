"""Viseme tables and the timeline builder."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avatar_service.core.errors import Invalid
from avatar_service.core.speech import TimedPhoneme
from avatar_service.core.visemes import (
    AZURE_VISEMES,
    BUILTIN_REGISTRY,
    OCULUS_VISEMES,
    RHUBARB_VISEMES,
    SILENCE,
    VISEME_SETS,
    build_timeline,
    oculus_to,
    viseme_for,
)

SET_MEMBERS = {name: BUILTIN_REGISTRY.get(name).symbols for name in VISEME_SETS}


def test_sets_have_their_published_sizes() -> None:
    assert len(OCULUS_VISEMES) == 15
    assert tuple(str(i) for i in range(22)) == AZURE_VISEMES
    assert set(RHUBARB_VISEMES) == set("ABCDEFGHX")


@pytest.mark.parametrize(
    ("phoneme", "oculus", "azure", "rhubarb"),
    [
        ("p", "PP", "21", "A"),
        ("m", "PP", "21", "A"),
        ("f", "FF", "18", "G"),
        ("θ", "TH", "19", "B"),
        ("ð", "TH", "17", "B"),
        ("t", "DD", "19", "B"),
        ("k", "kk", "20", "B"),
        ("ʃ", "CH", "16", "B"),
        ("tʃ", "CH", "16", "B"),
        ("s", "SS", "15", "B"),
        ("n", "nn", "19", "B"),
        ("l", "nn", "14", "H"),
        ("ɹ", "RR", "13", "B"),
        ("ɑ", "aa", "2", "D"),
        ("ɛ", "E", "4", "C"),
        ("ɪ", "ih", "6", "B"),
        ("ɔ", "oh", "3", "E"),
        ("u", "ou", "7", "F"),
        ("w", "ou", "7", "F"),
        ("aɪ", "aa", "11", "D"),
        ("aʊ", "aa", "9", "D"),
        ("ɔɪ", "oh", "10", "E"),
        # Rhubarb opens the mouth (C) for EH and for the first part of EY ("say").
        ("e", "E", "4", "C"),
        ("eɪ", "E", "4", "C"),
    ],
)
def test_phoneme_maps_to_the_documented_viseme_in_each_set(
    phoneme: str, oculus: str, azure: str, rhubarb: str
) -> None:
    assert viseme_for(phoneme, "oculus") == oculus
    assert viseme_for(phoneme, "azure") == azure
    assert viseme_for(phoneme, "rhubarb") == rhubarb


@pytest.mark.parametrize("symbol", ["ˈaː", "ˌɑ", "ɑː", "ã"])
def test_stress_length_and_diacritics_do_not_change_the_viseme(symbol: str) -> None:
    assert viseme_for(symbol, "oculus") == "aa"


@pytest.mark.parametrize("symbol", ["", "_", "sil", "pau", " "])
def test_silence_symbols_map_to_each_sets_silence(symbol: str) -> None:
    for name in VISEME_SETS:
        assert viseme_for(symbol, name) == SILENCE[name]


def test_unknown_symbol_falls_back_to_a_member_of_the_set() -> None:
    for name in VISEME_SETS:
        assert viseme_for("☃", name) in SET_MEMBERS[name]


def test_every_oculus_viseme_maps_onto_every_set() -> None:
    for viseme in OCULUS_VISEMES:
        for name in VISEME_SETS:
            assert oculus_to(viseme, name) in SET_MEMBERS[name]
    assert oculus_to("PP", "rhubarb") == "A"


def test_unknown_set_is_invalid() -> None:
    with pytest.raises(Invalid, match="viseme set"):
        build_timeline([], 1.0, "disney")  # type: ignore[arg-type]


def _ph(symbol: str, start: float, end: float) -> TimedPhoneme:
    return TimedPhoneme(symbol, start, end)


def test_gaps_become_silence_and_the_timeline_covers_the_whole_audio() -> None:
    cues = build_timeline([_ph("p", 0.2, 0.3), _ph("ɑ", 0.3, 0.5)], 1.0, min_cue=0.0)
    assert [(c.viseme, c.start, c.end) for c in cues] == [
        ("sil", 0.0, 0.2),
        ("PP", 0.2, 0.3),
        ("aa", 0.3, 0.5),
        ("sil", 0.5, 1.0),
    ]


def test_adjacent_identical_visemes_merge_into_one_cue() -> None:
    cues = build_timeline([_ph("p", 0.0, 0.1), _ph("b", 0.1, 0.2), _ph("m", 0.2, 0.3)], 0.3)
    assert [(c.viseme, c.start, c.end) for c in cues] == [("PP", 0.0, 0.3)]


def test_short_cue_between_long_neighbours_grows_into_their_spare_time() -> None:
    cues = build_timeline(
        [_ph("ɑ", 0.0, 0.2), _ph("t", 0.2, 0.21), _ph("u", 0.21, 0.5)], 0.5, min_cue=0.05
    )
    assert [c.viseme for c in cues] == ["aa", "DD", "ou"]
    assert all(c.end - c.start >= 0.05 - 1e-9 for c in cues)
    assert cues[1].start == pytest.approx(0.2) and cues[1].end == pytest.approx(0.25)
    assert cues[0].start == 0.0 and cues[-1].end == 0.5


def test_short_cue_whose_neighbours_cannot_spare_the_time_is_merged_not_dropped() -> None:
    cues = build_timeline(
        [_ph("ɑ", 0.0, 0.06), _ph("t", 0.06, 0.07), _ph("u", 0.07, 0.13)], 0.13, min_cue=0.05
    )
    assert all(c.end - c.start >= 0.05 for c in cues)
    assert cues[0].start == 0.0 and cues[-1].end == 0.13
    assert "DD" not in [c.viseme for c in cues]


def test_a_short_cue_between_two_of_one_shape_borrows_time_instead_of_joining_them() -> None:
    """ "garden": a 35 ms schwa between d and n, which rhubarb both shows as B."""
    phones = [_ph("d", 0.2, 0.241), _ph("ə", 0.241, 0.276), _ph("n", 0.276, 0.317)]
    cues = build_timeline(phones, 0.5, "rhubarb", min_cue=0.04)
    assert [c.viseme for c in cues] == ["X", "B", "C", "B", "X"]
    assert all(c.end - c.start >= 0.04 - 1e-9 for c in cues)
    assert cues[2].start <= (0.241 + 0.276) / 2 < cues[2].end


def test_a_short_cue_between_two_closures_takes_nothing_from_them() -> None:
    phones = [_ph("p", 0.0, 0.03), _ph("t", 0.03, 0.05), _ph("b", 0.05, 0.08)]
    cues = build_timeline(phones, 0.08, "rhubarb", min_cue=0.04)
    assert [c.viseme for c in cues] == ["A"]


def test_no_phonemes_gives_one_silence_cue() -> None:
    assert [(c.viseme, c.start, c.end) for c in build_timeline([], 2.0, "rhubarb")] == [
        ("X", 0.0, 2.0)
    ]


def test_zero_duration_gives_no_cues() -> None:
    assert build_timeline([_ph("a", 0, 1)], 0.0) == ()


def test_phonemes_past_the_end_are_clipped() -> None:
    cues = build_timeline([_ph("ɑ", 0.5, 3.0)], 1.0, min_cue=0.0)
    assert cues[-1].end == 1.0 and cues[-1].viseme == "aa"


def test_anticipation_moves_boundaries_earlier() -> None:
    plain = build_timeline([_ph("p", 0.2, 0.4), _ph("ɑ", 0.4, 0.8)], 1.0, min_cue=0.0)
    early = build_timeline(
        [_ph("p", 0.2, 0.4), _ph("ɑ", 0.4, 0.8)], 1.0, min_cue=0.0, anticipation=0.05
    )
    assert [c.viseme for c in plain] == [c.viseme for c in early]
    assert early[1].start == pytest.approx(0.15) and early[2].start == pytest.approx(0.35)


SYMBOLS = st.sampled_from(["p", "ɑ", "s", "ʃ", "u", "ɪ", "_", "l", "k", "aɪ", "ð", "?"])
PHONEMES = st.lists(
    st.tuples(
        SYMBOLS,
        st.floats(min_value=-1.0, max_value=12.0, allow_nan=False),
        st.floats(min_value=0.0, max_value=2.0, allow_nan=False),
    ).map(lambda t: _ph(t[0], t[1], t[1] + t[2])),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(
    phonemes=PHONEMES,
    duration=st.floats(min_value=0.001, max_value=10.0, allow_nan=False),
    viseme_set=st.sampled_from(VISEME_SETS),
    min_cue=st.sampled_from([0.0, 0.02, 0.04, 0.1, 0.5]),
    anticipation=st.sampled_from([0.0, 0.03, 0.2]),
)
def test_any_input_yields_contiguous_ordered_in_range_cues(
    phonemes: list[TimedPhoneme],
    duration: float,
    viseme_set: str,
    min_cue: float,
    anticipation: float,
) -> None:
    cues = build_timeline(
        phonemes,
        duration,
        viseme_set,
        min_cue=min_cue,
        anticipation=anticipation,  # type: ignore[arg-type]
    )
    assert cues, "a positive duration always has at least one cue"
    assert cues[0].start == 0.0
    assert cues[-1].end == duration
    for before, after in itertools.pairwise(cues):
        assert before.end == after.start, "cues must be contiguous"
        assert before.viseme != after.viseme, "adjacent cues must differ"
    for cue in cues:
        assert 0.0 <= cue.start < cue.end <= duration
        assert cue.viseme in SET_MEMBERS[viseme_set]
        if len(cues) > 1:
            assert cue.end - cue.start >= min_cue - 1e-9


@pytest.mark.parametrize("viseme_set", VISEME_SETS)
def test_a_short_bilabial_is_lengthened_not_merged_away(viseme_set: str) -> None:
    phonemes = [_ph("ɑ", 0.0, 0.2), _ph("p", 0.2, 0.215), _ph("ɑ", 0.215, 0.5)]
    cues = build_timeline(phonemes, 0.5, viseme_set, min_cue=0.04)
    closed = viseme_for("p", viseme_set)
    closure = next(c for c in cues if c.start <= 0.2075 < c.end)
    assert closure.viseme == closed
    assert closure.end - closure.start >= 0.04 - 1e-9


def test_back_to_back_short_closures_and_vowels_keep_every_bilabial() -> None:
    phonemes = [
        _ph(s, i * 0.02, (i + 1) * 0.02) for i, s in enumerate(["p", "ə", "b", "ə", "m", "ə"])
    ]
    cues = build_timeline(phonemes, 0.3, "rhubarb", min_cue=0.04)
    for p in phonemes[::2]:
        middle = (p.start + p.end) / 2
        assert next(c for c in cues if c.start <= middle < c.end).viseme == "A"
