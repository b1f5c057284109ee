"""The SSML subset: what parses, what is refused (422 with field text), slicing, writing out."""

from __future__ import annotations

import pytest

from avatar_service.core.errors import Invalid
from avatar_service.core.ssml import (
    Break,
    Mark,
    Prosody,
    SsmlSupport,
    TextRun,
    check_support,
    to_ssml,
)
from avatar_service.core.ssml_parser import parse_ssml

DOC = (
    '<speak>Hi <mark name="a"/>there. <break time="250ms"/>'
    '<prosody rate="slow" pitch="+10%">Tom &amp; <say-as interpret-as="characters">AB</say-as>'
    "</prosody> end.</speak>"
)


def test_parses_text_breaks_marks_prosody_and_say_as_with_source_offsets() -> None:
    doc = parse_ssml(DOC)
    assert doc.plain_text == "Hi there. Tom & AB end."
    kinds = [type(s) for s in doc.segments]
    assert kinds == [TextRun, Mark, TextRun, Break, TextRun, TextRun, TextRun]
    assert doc.segments[1] == Mark("a")
    assert doc.segments[3] == Break(seconds=0.25)
    tom = doc.segments[4]
    assert isinstance(tom, TextRun) and tom.prosody == (Prosody("slow", "+10%"),)
    letters = doc.segments[5]
    assert isinstance(letters, TextRun) and letters.say_as == "characters"
    offsets = doc.source_offsets()
    for index, char in enumerate(doc.plain_text):
        source_char = DOC[offsets[index]]
        assert source_char == char or (char == "&" and DOC[offsets[index] :].startswith("&amp;"))


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Hello", "text outside <speak>"),
        ("<!-- only a comment -->", "one <speak> element"),
        ("<speak>Hi <emphasis>you</emphasis></speak>", "unsupported SSML element <emphasis>"),
        ("<speak>Hi <break time='20s'/></speak>", "at most 10 s"),
        ("<speak>Hi <break time='soon'/></speak>", "time must look like"),
        ("<speak>Hi <break strength='huge'/></speak>", "strength must be one of"),
        ("<speak><prosody rate='warp'>x</prosody></speak>", "rate must be one of"),
        ("<speak><prosody pitch='+900%'>x</prosody></speak>", "pitch must be one of"),
        ("<speak><prosody>x</prosody></speak>", "needs rate or pitch"),
        ("<speak><say-as interpret-as='date'>1/2</say-as></speak>", "interpret-as, one of"),
        ("<speak><say-as interpret-as='characters'><mark name='x'/></say-as></speak>", "text only"),
        ("<speak><mark/></speak>", "needs a name"),
        ("<speak>Hi <break bogus='1'/></speak>", "no attribute 'bogus'"),
        ("<speak>Hi</speak> trailing", "text outside <speak>"),
        ("<speak>Hi <prosody rate='slow'>x</speak>", "closes nothing open"),
        ("<speak>Hi", "never closed"),
        ("<speak>a < b</speak>", "malformed markup"),
        ("<speak>&nbsp;</speak>", "unknown entity"),
        ("<speak><speak>x</speak></speak>", "one root element"),
    ],
)
def test_refuses_what_is_outside_the_subset_naming_the_problem(source: str, message: str) -> None:
    with pytest.raises(Invalid, match=message) as caught:
        parse_ssml(source)
    assert caught.value.field == "text"


def test_mark_count_is_bounded() -> None:
    source = "<speak>" + "".join(f'<mark name="m{i}"/>x ' for i in range(5)) + "</speak>"
    with pytest.raises(Invalid, match="more than 4 <mark>"):
        parse_ssml(source, max_marks=4)


def test_check_support_names_what_the_voice_cannot_honour() -> None:
    doc = parse_ssml(DOC)
    check_support(
        doc,
        SsmlSupport(frozenset({"break", "mark", "prosody", "say-as"}), frozenset({"characters"})),
        "v",
    )
    with pytest.raises(Invalid, match=r"voice v cannot honour <mark>, <prosody>, say-as") as e:
        check_support(doc, SsmlSupport(frozenset({"break", "say-as"})), "v")
    assert e.value.field == "text"


def test_slice_keeps_marks_and_breaks_with_the_part_that_starts_at_them() -> None:
    doc = parse_ssml(DOC)
    cut = doc.plain_text.index("Tom")
    first, second = doc.slice(0, cut), doc.slice(cut, len(doc.plain_text))
    assert first.plain_text == "Hi there. " and Mark("a") in first.segments
    assert second.plain_text == "Tom & AB end."
    assert Break(seconds=0.25) in second.segments and Break(seconds=0.25) not in first.segments
    assert first.source_offsets() + second.source_offsets() == doc.source_offsets()


def test_to_ssml_round_trips_and_maps_each_written_character_to_plain_text() -> None:
    doc = parse_ssml(DOC)
    written, index = to_ssml(doc, {"characters": "tts:char"})
    again = parse_ssml(written.replace("tts:char", "characters"))
    assert again.plain_text == doc.plain_text
    assert [type(s) for s in again.segments] == [type(s) for s in doc.segments]
    assert len(index) == len(written)
    for position, plain in enumerate(index):
        if plain is not None and doc.plain_text[plain] != "&":
            assert written[position] == doc.plain_text[plain]


def test_say_as_mapped_to_none_is_written_as_plain_text() -> None:
    written, _ = to_ssml(
        parse_ssml("<speak><say-as interpret-as='cardinal'>12</say-as></speak>"), {"cardinal": None}
    )
    assert written == "<speak>12</speak>"
