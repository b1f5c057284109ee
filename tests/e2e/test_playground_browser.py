"""The playground in a real browser (Debian's Chromium driven by Playwright): the page loads,
speaks a paragraph over the WebSocket, the audio really plays on the AudioContext clock, and
the mouth drawn by the renderer's avatar.js follows the server's viseme events in step."""

from __future__ import annotations

import os
import shutil
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from support import opened_playground

TEXT = (
    "Hello there! I am your avatar, and I speak as soon as the first sentence is ready. "
    "My mouth follows the visemes on the audio clock. Watch my lips move."
)


def _expected(cues: list[dict[str, Any]], t: float) -> str:
    return next((c["viseme"] for c in cues if c["start"] <= t < c["end"]), "sil")


def test_playground_speaks_and_moves_the_mouth_in_step_with_visemes(
    base_url: str, tmp_path: Path
) -> None:
    with opened_playground(base_url, tmp_path) as (page, problems):
        assert page.eval_on_selector_all("#voice option", "o => o.length") > 0
        page.fill("#text", TEXT)
        page.click("#speak")
        page.wait_for_function(
            "() => { const t = playground.speaker.time(); return t !== null && t > 1.2; }",
            timeout=15000,
        )
        before = page.evaluate("playground.speaker.context.currentTime")
        _screenshot(page, tmp_path)
        page.wait_for_function(
            "() => { const s = playground.speaker; "
            "return s.stats.ended && s.time() > s.duration + 0.1; }",
            timeout=30000,
        )
        after = page.evaluate("playground.speaker.context.currentTime")
        seen = page.evaluate(
            "({samples: playground.samples, cues: playground.speaker.cues,"
            " stats: playground.speaker.stats, state: playground.speaker.context.state,"
            " level: playground.maxLevel, duration: playground.speaker.duration,"
            " draws: playground.draws})"
        )

    assert problems == []
    stats = seen["stats"]
    assert stats["errors"] == [] and stats["ended"]
    assert seen["state"] == "running" and after > before
    assert stats["buffersScheduled"] == 5  # one per piece: 4 sentences, the second in 2 clauses
    assert seen["level"] > 0.01, "nothing audible came out of the AudioContext"
    cues, samples = seen["cues"], seen["samples"]
    assert cues[0]["start"] == 0 and abs(cues[-1]["end"] - seen["duration"]) < 1e-3
    assert len(samples) > 60 and samples[-1]["t"] - samples[0]["t"] > seen["duration"] * 0.8
    agree = sum(s["viseme"] == _expected(cues, s["t"]) for s in samples) / len(samples)
    assert agree >= 0.95, f"the mouth matched the viseme events in {agree:.0%} of frames"
    shown = {s["viseme"] for s in samples}
    assert len(shown) >= 6, f"only {sorted(shown)} were shown"
    assert seen["draws"] >= len(shown)


def _screenshot(page: Any, tmp_path: Path) -> None:
    """Into the tmp folder, and into ``AVATAR_TEST_SCREENSHOT`` when that names a file."""
    shot = tmp_path / "playground.png"
    page.screenshot(path=str(shot))
    target = os.environ.get("AVATAR_TEST_SCREENSHOT")
    if target:
        shutil.copyfile(shot, target)


LISTEN_TEXT = "Bob bought a map of Memphis. Maybe we should pay a visit by the pub."


@pytest.fixture(scope="module")
def fake_microphone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Speech by the Piper voice en_US-joe-medium as the WAV Chromium plays as a microphone."""
    from avatar_service.contracts.truth_corpus import TruthVoice
    from avatar_service.core.audio import encode_wav

    voice = TruthVoice()
    samples, _, _ = voice.speak(LISTEN_TEXT)
    path = tmp_path_factory.mktemp("mic") / "take.wav"
    path.write_bytes(encode_wav(samples, voice.sample_rate))
    return path


def test_playground_mouth_follows_a_microphone_through_the_listen_stream(
    base_url: str, tmp_path: Path, fake_microphone: Path
) -> None:
    microphone = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={fake_microphone}",
    ]
    with opened_playground(base_url, tmp_path, microphone, ["microphone"]) as (page, problems):
        page.click("#listen-mic")
        page.wait_for_function(
            "() => { const l = playground.listener; const t = l.time();"
            " return t !== null && t > 4.5 && l.stats.visemes > 20; }",
            timeout=30000,
        )
        seen = page.evaluate(
            "({heard: playground.heard, cues: playground.listener.cues,"
            " stats: playground.listener.stats, shown: playground.draws})"
        )
        page.click("#listen-stop")

    assert problems == []
    assert seen["stats"]["errors"] == []
    assert seen["stats"]["chunks"] > 100  # about 21 ms each
    cues, heard = seen["cues"], seen["heard"]
    assert [c["start"] for c in cues] == sorted(c["start"] for c in cues)
    shown = [s["viseme"] for s in heard]
    changes = sum(a != b for a, b in pairwise(shown))
    assert changes >= 10, f"the mouth changed shape {changes} times"
    assert "PP" in shown, "the lips never closed for the p, b, m of the speech"
    assert {"aa", "E", "oh", "ih", "ou"} & set(shown), "the mouth never opened for a vowel"


def test_stop_stays_enabled_while_the_speech_plays(base_url: str, tmp_path: Path) -> None:
    with opened_playground(base_url, tmp_path) as (page, problems):
        page.fill("#text", TEXT)
        page.click("#speak")
        # every chunk received, playback still running: Stop must still be there
        page.wait_for_function(
            "() => { const s = playground.speaker; const t = s.time();"
            " return s.stats.ended && t !== null && t > 0.5 && t < s.duration - 1; }",
            timeout=15000,
        )
        page.wait_for_timeout(300)
        enabled_while_playing = page.is_enabled("#stop")
        page.click("#stop")
        stopped = page.evaluate("playground.speaker.sources.length")
        disabled_after_stop = page.is_disabled("#stop")
        page.click("#speak")
        page.wait_for_function(
            "() => { const s = playground.speaker;"
            " return s.stats.ended && s.time() > s.duration + 0.1; }",
            timeout=30000,
        )
        page.wait_for_timeout(200)
        disabled_after_playback = page.is_disabled("#stop")
    assert problems == []
    assert enabled_while_playing
    assert stopped == 0 and disabled_after_stop
    assert disabled_after_playback


def test_the_built_in_characters_are_in_the_picker_from_the_start(
    base_url: str, tmp_path: Path
) -> None:
    with opened_playground(base_url, tmp_path) as (page, problems):
        options = page.eval_on_selector_all("#avatar-id option", "o => o.map(x => x.value)")
        page.select_option("#avatar-id", "leo")
        skin = page.input_value('input[data-field="skin_tone"]')
    assert problems == []
    assert {"ava", "leo", "mia", "sam", "noah"} <= set(options)
    assert skin != "#ffffff"


def test_render_video_asks_before_saving_an_unsaved_avatar(base_url: str, tmp_path: Path) -> None:
    with opened_playground(base_url, tmp_path) as (page, problems):
        before = page.evaluate("fetch('/v1/avatars').then(r => r.json())")["count"]
        asked: list[str] = []

        def decline(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", decline)
        page.select_option("#avatar-id", "")
        page.click("#render")
        page.wait_for_function(
            "() => document.querySelector('#status').textContent.includes('Not rendered')",
            timeout=10000,
        )
        after = page.evaluate("fetch('/v1/avatars').then(r => r.json())")
    assert problems == []
    assert len(asked) == 1 and "save" in asked[0].lower()
    assert after["count"] == before
    assert all(a["name"] != "Playground avatar" for a in after["avatars"])


def test_no_request_fails_and_there_is_a_favicon(base_url: str, tmp_path: Path) -> None:
    with opened_playground(base_url, tmp_path) as (page, problems):
        page.wait_for_timeout(500)  # the favicon is fetched after load
        icon = page.evaluate("fetch('/favicon.ico').then(r => r.status)")
    assert problems == []
    assert icon == 200


def test_the_voice_list_is_grouped_by_engine_and_language_neural_first(
    base_url: str, tmp_path: Path
) -> None:
    voices = [
        {"voice_id": "en-us", "name": "English (America)", "language": "en-us", "engine": "espeak"},
        {"voice_id": "de", "name": "German", "language": "de", "engine": "espeak"},
        {"voice_id": "en_US-joe-medium", "name": "Joe", "language": "en_US", "engine": "piper"},
        {"voice_id": "en-gb", "name": "English (UK)", "language": "en-gb", "engine": "espeak"},
    ]
    with opened_playground(base_url, tmp_path) as (page, problems):
        shown = page.eval_on_selector_all(
            "#voice optgroup",
            "gs => gs.map(g => [g.label, [...g.children].map(o => o.value)])",
        )
        grouped = page.evaluate(
            "async (voices) => { const m = await import('/playground/voices.js');"
            " const groups = m.groupVoices(voices);"
            " return [groups.map(g => g.label), m.preferredVoice(groups)]; }",
            voices,
        )
    assert problems == []
    labels = [label for label, _ in shown]
    assert len(labels) == len(set(labels)) > 1
    assert all(label.startswith("espeak · ") for label in labels)  # this server: espeak only
    assert labels == sorted(labels)
    assert grouped == [
        ["neural · piper · en_US", "espeak · de", "espeak · en-gb", "espeak · en-us"],
        "en_US-joe-medium",
    ]
