"""The playground's "Download cues": the mouth cues of the text, or of a chosen recording, saved
by the browser as a file of Rhubarb Lip Sync, the same bytes the API gives."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from support import opened_playground

TEXT = "Bob bought a map of Memphis."


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Speech by the Piper voice en_US-joe-medium, as a WAV file to choose in the page."""
    from avatar_service.contracts.truth_corpus import TruthVoice
    from avatar_service.core.audio import encode_wav

    voice = TruthVoice()
    samples, _, _ = voice.speak("Maybe we should pay a visit by the pub.")
    path = tmp_path_factory.mktemp("take") / "take.wav"
    path.write_bytes(encode_wav(samples, voice.sample_rate))
    return path


def _cues_of_text(base_url: str, body: dict[str, object]) -> bytes:
    request = urllib.request.Request(
        f"{base_url}/v1/lipsync/cues",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        data: bytes = response.read()
        return data


def test_the_texts_cues_are_saved_as_the_api_writes_them(base_url: str, tmp_path: Path) -> None:
    with opened_playground(base_url, tmp_path) as (page, problems):
        page.fill("#text", TEXT)
        voice = page.input_value("#voice")
        page.select_option("#cue-format", "tsv")
        with page.expect_download(timeout=20000) as download:
            page.click("#cues")
        name = download.value.suggested_filename
        saved = Path(download.value.path()).read_bytes()
        shown = page.text_content("#status")

    assert problems == []
    assert name == "lipsync.tsv"
    expected = _cues_of_text(base_url, {"text": TEXT, "voice": voice, "format": "tsv"})
    assert saved == expected
    lines = saved.decode().splitlines()
    assert all(re.fullmatch(r"\d+\.\d\d\t[A-HX]", line) for line in lines)
    assert "A" in {line.split("\t")[1] for line in lines}  # the lips close for b, m, p
    assert shown is not None and "lipsync.tsv" in shown


def test_a_chosen_recordings_cues_are_saved_under_its_name(
    base_url: str, tmp_path: Path, recording: Path
) -> None:
    with opened_playground(base_url, tmp_path) as (page, problems):
        page.set_input_files("#listen-file", str(recording))
        page.click("#listen-stop")
        page.select_option("#cue-format", "json")
        with page.expect_download(timeout=30000) as download:
            page.click("#cues")
        name = download.value.suggested_filename
        saved = json.loads(Path(download.value.path()).read_text())

    assert problems == []
    assert name == "take.json"
    assert saved["metadata"]["soundFile"] == "take.wav"
    assert 2.0 < saved["metadata"]["duration"] < 4.0
    shapes = [cue["value"] for cue in saved["mouthCues"]]
    assert "A" in shapes and {"C", "D", "E", "F"} & set(shapes)


def test_a_file_that_is_not_audio_gets_the_problems_detail_and_no_download(
    base_url: str, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.wav"
    junk.write_bytes(b"these are not the samples you are looking for" * 10)
    with opened_playground(base_url, tmp_path) as (page, problems):
        downloads: list[object] = []
        page.on("download", lambda d: downloads.append(d))
        page.set_input_files("#listen-file", str(junk))
        page.click("#cues")
        page.wait_for_function(
            "() => document.querySelector('#status').textContent.startsWith('No cues')",
            timeout=20000,
        )
        shown = page.text_content("#status") or ""
        enabled = page.is_enabled("#cues")

    assert downloads == []
    assert any("/v1/lipsync/audio" in p and p.startswith("4") for p in problems), problems
    # the problem's own detail, not the request's status line
    assert shown.startswith("No cues: ") and "audio" in shown and "/v1/" not in shown
    assert enabled
