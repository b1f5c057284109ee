"""Cues in Rhubarb Lip Sync's file formats (core.cue_formats): the expected texts are the
examples of Rhubarb's own documentation (a person saying "Hi") and files Rhubarb wrote
(tests/fixtures/rhubarb), byte for byte."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from avatar_service.core.cue_formats import (
    CueExportOptions,
    CueFormat,
    check_cue_format,
    cue_file,
    export_cues,
)
from avatar_service.core.errors import Invalid
from avatar_service.core.speech import VisemeCue
from avatar_service.core.visemes import BUILTIN_REGISTRY
from avatar_service.core.visemesets import VisemeSetSpec

RHUBARB = BUILTIN_REGISTRY.get("rhubarb")
OCULUS = BUILTIN_REGISTRY.get("oculus")
HI = [
    VisemeCue("X", 0.0, 0.0503),
    VisemeCue("D", 0.0503, 0.2698),
    VisemeCue("C", 0.2698, 0.31),
    VisemeCue("B", 0.31, 0.4301),
    VisemeCue("X", 0.4301, 0.4788),
]
HI_DURATION = 0.4788  # Rhubarb truncates the recording's end: 0.47
SOUND = r"C:\Users\Daniel\Desktop\av\hi\hi.wav"


def test_tsv_is_rhubarbs_start_times_then_the_closed_mouth_at_the_end() -> None:
    text = export_cues(HI, HI_DURATION, RHUBARB, "tsv")
    assert text == "0.00\tX\n0.05\tD\n0.27\tC\n0.31\tB\n0.43\tX\n0.47\tX\n"


def test_xml_is_rhubarbs_document_with_the_sound_file_and_duration() -> None:
    text = export_cues(HI, HI_DURATION, RHUBARB, "xml", sound_file=SOUND)
    assert text == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<rhubarbResult>\n"
        "  <metadata>\n"
        f"    <soundFile>{SOUND}</soundFile>\n"
        "    <duration>0.47</duration>\n"
        "  </metadata>\n"
        "  <mouthCues>\n"
        '    <mouthCue start="0.00" end="0.05">X</mouthCue>\n'
        '    <mouthCue start="0.05" end="0.27">D</mouthCue>\n'
        '    <mouthCue start="0.27" end="0.31">C</mouthCue>\n'
        '    <mouthCue start="0.31" end="0.43">B</mouthCue>\n'
        '    <mouthCue start="0.43" end="0.47">X</mouthCue>\n'
        "  </mouthCues>\n"
        "</rhubarbResult>\n"
    )


def test_json_is_rhubarbs_layout_and_parses() -> None:
    text = export_cues(HI, HI_DURATION, RHUBARB, "json", sound_file=SOUND)
    assert text == (
        "{\n"
        '  "metadata": {\n'
        '    "soundFile": "C:\\\\Users\\\\Daniel\\\\Desktop\\\\av\\\\hi\\\\hi.wav",\n'
        '    "duration": 0.47\n'
        "  },\n"
        '  "mouthCues": [\n'
        '    { "start": 0.00, "end": 0.05, "value": "X" },\n'
        '    { "start": 0.05, "end": 0.27, "value": "D" },\n'
        '    { "start": 0.27, "end": 0.31, "value": "C" },\n'
        '    { "start": 0.31, "end": 0.43, "value": "B" },\n'
        '    { "start": 0.43, "end": 0.47, "value": "X" }\n'
        "  ]\n"
        "}\n"
    )
    assert json.loads(text)["metadata"]["soundFile"] == SOUND


def test_hostile_sound_file_names_stay_inside_their_json_string_and_xml_element() -> None:
    name = 'a"b\\c</soundFile><x>&\x00\n.wav'
    parsed = json.loads(export_cues(HI, HI_DURATION, RHUBARB, "json", sound_file=name))
    assert parsed["metadata"]["soundFile"] == name
    root = ET.fromstring(export_cues(HI, HI_DURATION, RHUBARB, "xml", sound_file=name))
    assert root.findtext("metadata/soundFile") == 'a"b\\c</soundFile><x>&\n.wav'
    assert [c.text for c in root.iter("mouthCue")] == ["X", "D", "C", "B", "X"]


def test_moho_data_numbers_frames_from_one_at_the_frame_rate() -> None:
    assert export_cues(HI, HI_DURATION, RHUBARB, "dat") == (
        "MohoSwitch1\n1 X\n2 D\n7 C\n8 B\n11 X\n12 X\n"
    )
    named = export_cues(
        HI, HI_DURATION, RHUBARB, "dat", options=CueExportOptions(preston_blair=True, dat_fps=100)
    )
    assert named == "MohoSwitch1\n1 rest\n6 AI\n28 E\n32 etc\n44 rest\n48 rest\n"


def test_moho_data_keeps_the_first_shape_of_a_frame_and_ends_a_frame_after_the_last() -> None:
    cues = [VisemeCue("X", 0.0, 0.01), VisemeCue("A", 0.01, 0.03), VisemeCue("D", 0.03, 0.04)]
    assert export_cues(cues, 0.04, RHUBARB, "dat") == "MohoSwitch1\n1 X\n2 X\n"


def test_shapes_left_out_of_extended_shapes_become_rhubarbs_basic_ones_and_join() -> None:
    cues = [
        VisemeCue("X", 0.0, 0.1),
        VisemeCue("A", 0.1, 0.2),
        VisemeCue("G", 0.2, 0.3),
        VisemeCue("H", 0.3, 0.4),
        VisemeCue("C", 0.4, 0.5),
    ]
    basic = export_cues(cues, 0.5, RHUBARB, "tsv", options=CueExportOptions(extended_shapes=""))
    assert basic == "0.00\tA\n0.30\tC\n0.50\tA\n"
    only_x = CueExportOptions(extended_shapes="x")
    assert export_cues(cues, 0.5, RHUBARB, "tsv", options=only_x) == (
        "0.00\tX\n0.10\tA\n0.30\tC\n0.50\tX\n"
    )


def test_a_cue_rounding_leaves_empty_is_dropped_and_its_neighbours_join() -> None:
    cues = [VisemeCue("A", 0.0, 0.1), VisemeCue("B", 0.1, 0.104), VisemeCue("A", 0.104, 0.2)]
    assert export_cues(cues, 0.2, RHUBARB, "tsv") == "0.00\tA\n0.20\tX\n"


def test_no_cues_give_one_empty_closed_cue_as_rhubarb_writes_it() -> None:
    parsed = json.loads(export_cues([], 0.0, RHUBARB, "json"))
    assert parsed["mouthCues"] == [{"start": 0.0, "end": 0.0, "value": "X"}]
    assert export_cues([], 0.0, RHUBARB, "tsv") == "0.00\tX\n"


def test_another_set_is_written_with_its_own_symbols_closing_with_its_silence() -> None:
    cues = [VisemeCue("sil", 0.0, 0.1), VisemeCue("PP", 0.1, 0.2), VisemeCue("aa", 0.2, 0.3)]
    assert export_cues(cues, 0.3, OCULUS, "tsv") == "0.00\tsil\n0.10\tPP\n0.20\taa\n0.30\tsil\n"


@pytest.mark.parametrize(
    ("viseme_set", "options", "field"),
    [
        (RHUBARB, CueExportOptions(extended_shapes="GQ"), "extended_shapes"),
        (OCULUS, CueExportOptions(extended_shapes="G"), "extended_shapes"),
        (OCULUS, CueExportOptions(preston_blair=True), "dat_preston_blair"),
        (RHUBARB, CueExportOptions(dat_fps=23.9), "dat_fps"),
        (RHUBARB, CueExportOptions(dat_fps=100.1), "dat_fps"),
    ],
)
def test_options_a_set_or_format_cannot_take_are_refused(
    viseme_set: VisemeSetSpec, options: CueExportOptions, field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        export_cues(HI, HI_DURATION, viseme_set, "dat", options=options)
    assert caught.value.field == field


def test_a_set_whose_symbols_hold_spaces_cannot_be_written_as_lines() -> None:
    spaced = dataclasses.replace(OCULUS, name="spaced", symbols=(*OCULUS.symbols, "wide open"))
    with pytest.raises(Invalid, match="cannot be written as tsv"):
        export_cues([], 1.0, spaced, "tsv")
    assert json.loads(export_cues([], 1.0, spaced, "json"))["metadata"]["duration"] == 1.0


def test_a_cue_file_is_checked_when_asked_for_and_writes_its_format() -> None:
    """``cue_file`` refuses before any work what ``export_cues`` would refuse after it."""
    xml = cue_file(RHUBARB, "xml", CueExportOptions(extended_shapes=""))
    assert xml.media_type == "application/xml"
    assert xml.write(HI, HI_DURATION, SOUND) == export_cues(
        HI, HI_DURATION, RHUBARB, "xml", sound_file=SOUND, options=xml.options
    )
    assert cue_file(OCULUS, "tsv").media_type == "text/tab-separated-values"
    for viseme_set, cue_format, options, field in [
        (RHUBARB, "moho", CueExportOptions(), "format"),
        (OCULUS, "dat", CueExportOptions(preston_blair=True), "dat_preston_blair"),
        (RHUBARB, "dat", CueExportOptions(dat_fps=float("nan")), "dat_fps"),
    ]:
        with pytest.raises(Invalid) as caught:
            cue_file(viseme_set, cue_format, options)
        assert caught.value.field == field


def test_an_unknown_format_is_refused_by_name() -> None:
    assert check_cue_format("xml") == "xml"
    with pytest.raises(Invalid, match="tsv, json, xml, dat"):
        check_cue_format("moho")


RHUBARB_FILES = Path(__file__).parents[1] / "fixtures" / "rhubarb"


@pytest.mark.parametrize(
    ("name", "variant", "cue_format", "options"),
    [
        ("austen-0870", "tsv", "tsv", CueExportOptions()),
        ("austen-0870", "json", "json", CueExportOptions()),
        ("austen-0870", "xml", "xml", CueExportOptions()),
        ("austen-0870", "dat", "dat", CueExportOptions()),
        ("austen-0870", "pb30.dat", "dat", CueExportOptions(dat_fps=30, preston_blair=True)),
        ("austen-0870", "100.dat", "dat", CueExportOptions(dat_fps=100)),
        ("silence", "basic.tsv", "tsv", CueExportOptions(extended_shapes="")),
    ],
)
def test_rhubarbs_own_files_are_written_again_byte_for_byte(
    name: str, variant: str, cue_format: CueFormat, options: CueExportOptions
) -> None:
    """Rhubarb's cues of a recording (its JSON) written again in each format are the file
    Rhubarb itself wrote (tests/fixtures/rhubarb/README.md)."""
    written = json.loads((RHUBARB_FILES / f"{name}.json").read_text("utf-8"))
    cues = [VisemeCue(c["value"], c["start"], c["end"]) for c in written["mouthCues"]]
    duration = {"austen-0870": 113_600 / 16_000, "silence": 0.3}[name]
    sound_file = f"/tmp/rhubarb/in/{name.partition('-')[0]}.wav"
    ours = export_cues(cues, duration, RHUBARB, cue_format, sound_file=sound_file, options=options)
    assert ours == (RHUBARB_FILES / f"{name}.{variant}").read_text("utf-8")
