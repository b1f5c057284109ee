"""The README's install, end to end: a fresh virtualenv with no extras serves everything the
service advertises (health, readiness, lip sync, a frame, a short video, the WebSocket stream,
the playground's Speak in a browser), and its one-shot commands write only what was asked."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
from readme_kit import ReadmeInstall
from support import opened_playground
from websockets.sync.client import connect


def test_the_install_has_no_test_extra_and_doctor_passes(readme_install: ReadmeInstall) -> None:
    python = str(readme_install.bin / "python")
    installed = readme_install.avatar("--version")
    assert installed.returncode == 0, installed.stderr
    # The test extra's packages are not there, so nothing of the suite's set-up leaks in.
    probe = "import importlib.util as u; print(u.find_spec('pytest') is None)"
    missing = subprocess.run(
        [python, "-c", probe], env=readme_install.env, capture_output=True, text=True, check=True
    )
    assert missing.stdout.strip() == "True"
    doctor = readme_install.avatar("doctor", "--json")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    report = json.loads(doctor.stdout)
    websocket = next(c for c in report["adapters"] if c["port"] == "websocket")
    assert websocket["ok"], websocket


def test_health_ready_lipsync_frame_and_video(readme_server: str) -> None:
    with httpx.Client(base_url=readme_server, timeout=120) as client:
        assert client.get("/health").json() == {"status": "ok"}
        ready = client.get("/ready")
        assert ready.status_code == 200, ready.text
        assert {c["port"] for c in ready.json()["checks"]} >= {"tts", "renderer", "websocket"}
        lipsync = client.post("/v1/lipsync", json={"text": "Hello there!"})
        assert lipsync.status_code == 200, lipsync.text
        assert lipsync.json()["visemes"]
        assert client.get(lipsync.json()["audio_url"]).content[:4] == b"RIFF"
        frame = client.post("/v1/render", json={"avatar_id": "ava", "width": 64, "height": 64})
        assert frame.status_code == 200, frame.text
        assert client.get(frame.json()["frame_url"]).content[:8] == b"\x89PNG\r\n\x1a\n"
        body = {
            "avatar_id": "ava",
            "text": "Hi.",
            "format": "mp4",
            "width": 64,
            "height": 64,
            "fps": 10,
        }
        video = client.post("/v1/render/sequence", json=body)
        assert video.status_code == 200, video.text
        assert client.get(video.json()["video_url"]).content[4:8] == b"ftyp"


def test_the_lipsync_websocket_streams_audio_and_visemes(readme_server: str) -> None:
    url = readme_server.replace("http://", "ws://") + "/v1/lipsync/stream"
    kinds: list[str] = []
    audio_bytes = 0
    with connect(url, open_timeout=30, close_timeout=5) as socket:
        socket.send(json.dumps({"type": "speak", "text": "Hello there. How are you?"}))
        while "end" not in kinds:
            message = socket.recv(timeout=60)
            if isinstance(message, bytes):
                audio_bytes += len(message)
                continue
            kinds.append(json.loads(message)["type"])
            assert kinds[-1] != "error", message
    assert kinds[0] == "start"
    assert {"audio", "word", "viseme", "end"} <= set(kinds)
    assert audio_bytes > 0


def test_the_playground_speaks_in_chromium(readme_server: str, tmp_path: Path) -> None:
    with opened_playground(readme_server, tmp_path, ready_seconds=30) as (page, problems):
        page.fill("#text", "Hello there.")
        page.click("#speak")
        page.wait_for_function(
            "() => playground.speaker.stats.ended || playground.speaker.stats.errors.length"
            " || /could not|failed|Error/.test(document.querySelector('#status').textContent)",
            timeout=30000,
        )
        stats = page.evaluate("playground.speaker.stats")
        status = page.inner_text("#status")
    assert problems == []
    assert stats["errors"] == [], status
    assert stats["buffersScheduled"] >= 1


def test_say_writes_only_the_video_asked_for(readme_install: ReadmeInstall) -> None:
    data = Path(readme_install.env["AVATAR_DATA_DIR"])
    before = sorted(p.name for p in data.iterdir()) if data.exists() else None
    around = set(readme_install.cwd.iterdir())
    output = readme_install.cwd / "hello.mp4"
    done = readme_install.avatar("say", "Hi.", "-o", str(output), "--size", "64", "--fps", "10")
    assert done.returncode == 0, done.stderr
    assert output.read_bytes()[4:8] == b"ftyp"
    after = sorted(p.name for p in data.iterdir()) if data.exists() else None
    assert after == before
    assert set(readme_install.cwd.iterdir()) - around == {output}
