"""`avatar lipsync --cues`: only the cues, in Rhubarb Lip Sync's file formats
(core.cue_formats), for a recording or for text; bad options are one-line errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import soundfile
from click.testing import CliRunner

from avatar_service.contracts.aligner import synthetic_speech
from avatar_service.entrypoints.cli import main


@pytest.fixture
def take(tmp_path: Path) -> Path:
    path = tmp_path / "take.wav"
    soundfile.write(path, synthetic_speech(16000), 16000)
    return path


def _visemes(runner: CliRunner, args: list[str]) -> list[dict[str, object]]:
    result = runner.invoke(main, ["lipsync", *args, "--json"])
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout)["visemes"])


def test_cues_of_a_recording_are_its_rhubarb_timeline_as_tsv(runner: CliRunner, take: Path) -> None:
    result = runner.invoke(main, ["lipsync", "--audio", str(take), "--cues", "tsv"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    expected = _visemes(runner, ["--audio", str(take), "--viseme-set", "rhubarb"])
    assert [shape for _, shape in lines[:-1]] == [c["viseme"] for c in expected]
    assert lines[0] == ["0.00", "X"] and lines[-1] == ["1.50", "X"]


def test_json_and_xml_name_the_recordings_full_path(runner: CliRunner, take: Path) -> None:
    as_json = runner.invoke(main, ["lipsync", "--audio", str(take), "--cues", "json"])
    assert json.loads(as_json.stdout)["metadata"] == {
        "soundFile": str(take.resolve()),
        "duration": 1.5,
    }
    as_xml = runner.invoke(main, ["lipsync", "--audio", str(take), "--cues", "xml"])
    assert ET.fromstring(as_xml.stdout).findtext("metadata/soundFile") == str(take.resolve())


def test_cues_of_text_take_another_set_and_moho_options(runner: CliRunner) -> None:
    result = runner.invoke(main, ["lipsync", "Hello", "--cues", "tsv", "--viseme-set", "oculus"])
    assert result.exit_code == 0, result.output
    shapes = [line.split("\t")[1] for line in result.stdout.splitlines()]
    expected = [c["viseme"] for c in _visemes(runner, ["Hello", "--viseme-set", "oculus"])]
    assert shapes == [*expected, "sil"]
    moho = runner.invoke(main, ["lipsync", "Hello", "--cues", "dat", "--dat-preston-blair"])
    assert moho.exit_code == 0, moho.output
    assert moho.stdout.startswith("MohoSwitch1\n1 rest\n")
    basic = runner.invoke(main, ["lipsync", "Hello", "--cues", "tsv", "--extended-shapes", ""])
    assert {line.split("\t")[1] for line in basic.stdout.splitlines()} <= set("ABCDEF")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cues", "tsv", "--json"], "error: give --json or --cues, not both"),
        (["--cues", "tsv", "--extended-shapes", "GQ"], "error: extended shapes are some of"),
        (
            ["--cues", "dat", "--viseme-set", "oculus", "--dat-preston-blair"],
            "error: Preston Blair names apply to the rhubarb viseme set",
        ),
        (["--cues", "dat", "--dat-fps", "12"], "error: the Moho frame rate must be 24-100 fps"),
        (["--cues", "moho"], "error: invalid value for '--cues'"),
    ],
)
def test_bad_cue_options_are_one_line_errors(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(main, ["lipsync", "Hello", *args])
    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_bad_cue_options_are_refused_before_the_recording_is_read(
    runner: CliRunner, tmp_path: Path
) -> None:
    noise = tmp_path / "noise.wav"
    noise.write_bytes(b"not audio at all")
    result = runner.invoke(
        main, ["lipsync", "--audio", str(noise), "--cues", "tsv", "--extended-shapes", "GQ"]
    )
    assert result.exit_code != 0
    assert result.stderr.startswith("error: extended shapes are some of")


def test_tweens_insert_in_betweens_in_the_printed_cues_only(runner: CliRunner, take: Path) -> None:
    said = ["lipsync", "--audio", str(take), "--cues", "tsv"]
    plain = [line.split("\t") for line in runner.invoke(main, said).stdout.splitlines()]
    tweened = runner.invoke(main, [*said, "--tweens"])
    assert tweened.exit_code == 0, tweened.output
    lines = [line.split("\t") for line in tweened.stdout.splitlines()]
    # the last vowel (D) closes to rest (X) through C, which starts the rest
    assert [shape for _, shape in plain[-4:]] == ["A", "D", "X", "X"]
    assert [shape for _, shape in lines[-5:]] == ["A", "D", "C", "X", "X"]
    assert lines[-3][0] == plain[-2][0]
    refused = runner.invoke(main, [*said, "--viseme-set", "vrm", "--tweens"])
    assert refused.stderr.startswith("error: in-between shapes apply to the rhubarb viseme set")


def test_output_writes_the_file_and_goes_with_cues_only(
    runner: CliRunner, take: Path, tmp_path: Path
) -> None:
    target = tmp_path / "take.tsv"
    said = ["lipsync", "--audio", str(take), "--cues", "tsv"]
    result = runner.invoke(main, [*said, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert target.read_text("utf-8") == runner.invoke(main, said).stdout
    lonely = runner.invoke(main, ["lipsync", "--audio", str(take), "-o", str(target)])
    assert lonely.stderr.startswith("error: --output goes with --cues")
    nowhere = runner.invoke(main, [*said, "-o", str(tmp_path / "no" / "take.tsv")])
    assert nowhere.exit_code != 0 and "does not exist" in nowhere.stderr
