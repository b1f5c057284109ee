"""The Node renderer honours the Renderer contract; its worker pool survives faults."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from support import unavailable

from avatar_service.adapters.renderer.ffmpeg import locate_ffmpeg
from avatar_service.adapters.renderer.node import NodeRenderer
from avatar_service.adapters.renderer.node_package import resolve
from avatar_service.contracts import RendererContract
from avatar_service.contracts._media import image_size
from avatar_service.contracts.renderer import make_timeline
from avatar_service.core.audio import encode_wav
from avatar_service.core.avatar import AvatarState, Pose
from avatar_service.core.errors import Invalid, TimedOut, Unavailable
from avatar_service.core.ports import FrameRenderRequest, SequenceRenderRequest
from avatar_service.core.speech import Timeline, VisemeCue

try:
    SETUP = resolve("node", None, None)
except Unavailable as exc:  # pragma: no cover - the tox env runs npm ci first
    unavailable(f"node renderer not set up: {exc.message}", module=True)


def probe(path: Path) -> dict[str, object]:
    """ffprobe-like facts from ffmpeg itself (imageio-ffmpeg ships no ffprobe)."""
    done = subprocess.run(
        [
            SETUP.ffmpeg,
            "-hide_banner",
            "-i",
            str(path),
            "-map",
            "0:v:0",
            "-c",
            "copy",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    text = done.stderr
    frames = [line for line in text.splitlines() if line.startswith("frame=")]
    count = int(frames[-1].split("frame=")[1].split()[0]) if frames else -1
    return {"audio": "Audio:" in text, "frames": count, "text": text}


@pytest.fixture(scope="module")
def shared() -> Iterator[NodeRenderer]:
    renderer = NodeRenderer(workers=2, max_render_time=60.0)
    yield renderer
    renderer.close()


class TestNodeRenderer(RendererContract):
    @pytest.fixture
    def adapter(self, shared: NodeRenderer) -> NodeRenderer:
        return shared

    @pytest.fixture
    def slow_adapter(self) -> Iterator[NodeRenderer]:
        renderer = NodeRenderer(workers=1, max_render_time=0.3)
        yield renderer
        renderer.close()


def test_mp4_has_audio_and_the_frame_count_of_the_timeline(
    shared: NodeRenderer, tmp_path: Path
) -> None:
    t = np.arange(22050, dtype=np.float32) / 22050
    wav = encode_wav((0.2 * np.sin(2 * np.pi * 200 * t)).astype(np.float32), 22050)
    for fmt in ("mp4", "webm"):
        video = shared.render_sequence(
            SequenceRenderRequest(
                AvatarState(),
                make_timeline(1.0),
                width=64,
                height=64,
                fps=25,
                format=fmt,
                audio_wav=wav,
            )
        )
        try:
            facts = probe(video.path)
            assert facts["audio"], f"{fmt}: no audio stream\n{facts['text']}"
            assert facts["frames"] == 25, facts["frames"]
        finally:
            video.path.unlink()


def test_frames_repeat_so_a_long_clip_rasterises_few_frames(shared: NodeRenderer) -> None:
    cues = tuple(
        VisemeCue(("aa", "PP", "E", "oh", "sil")[i % 5], i * 0.1, (i + 1) * 0.1) for i in range(60)
    )
    answer = shared._run(
        {
            "kind": "sequence",
            "state": {},
            "width": 64,
            "height": 64,
            "fps": 30,
            "format": "gif",
            "timeline": {
                "duration": 6.0,
                "visemes": [{"viseme": c.viseme, "start": c.start, "end": c.end} for c in cues],
            },
            "output": "/dev/null",
        }
    )
    assert answer["frames"] == 180
    assert answer["rasterised"] < 90, answer


def test_same_input_gives_the_same_video(shared: NodeRenderer) -> None:
    timeline = make_timeline(2.0)
    first = shared.render_sequence(
        SequenceRenderRequest(AvatarState(), timeline, width=48, height=48, fps=10, format="gif")
    )
    second = shared.render_sequence(
        SequenceRenderRequest(AvatarState(), timeline, width=48, height=48, fps=10, format="gif")
    )
    try:
        assert first.path.read_bytes() == second.path.read_bytes()
    finally:
        first.path.unlink()
        second.path.unlink()


def test_odd_size_mp4_is_invalid_naming_the_field(shared: NodeRenderer) -> None:
    with pytest.raises(Invalid) as caught:
        shared.render_sequence(
            SequenceRenderRequest(
                AvatarState(), make_timeline(0.5), width=65, height=64, fps=10, format="mp4"
            )
        )
    assert caught.value.field == "width"


def test_jpeg_and_webp_frames_decode_to_the_size(shared: NodeRenderer) -> None:
    for fmt in ("jpeg", "webp"):
        kind, width, height = image_size(
            shared.render_frame(
                FrameRenderRequest(AvatarState(), Pose(), width=81, height=47, format=fmt)
            )
        )
        assert (kind, width, height) == (fmt, 81, 47)


def test_timed_out_worker_is_replaced_and_the_next_job_succeeds() -> None:
    renderer = NodeRenderer(workers=1, max_render_time=0.2)
    try:
        with pytest.raises(TimedOut):
            renderer.render_sequence(
                SequenceRenderRequest(
                    AvatarState(), make_timeline(20.0), width=256, height=256, fps=30, format="webm"
                )
            )
        renderer.max_render_time = 30.0
        assert image_size(
            renderer.render_frame(
                FrameRenderRequest(AvatarState(), Pose(), width=32, height=32, format="png")
            )
        )[1:] == (
            32,
            32,
        )
    finally:
        renderer.close()


def test_a_worker_killed_mid_job_fails_that_job_cleanly_and_is_replaced() -> None:
    renderer = NodeRenderer(workers=1, max_render_time=30.0)
    try:
        renderer.render_frame(
            FrameRenderRequest(AvatarState(), Pose(), width=32, height=32, format="png")
        )  # start the worker
        (worker,) = renderer.pool.workers()

        def kill_soon() -> None:
            time.sleep(0.3)
            worker.process.kill()

        threading.Thread(target=kill_soon).start()
        with pytest.raises(Unavailable, match="died"):
            renderer.render_sequence(
                SequenceRenderRequest(
                    AvatarState(), make_timeline(20.0), width=256, height=256, fps=30, format="webm"
                )
            )
        data = renderer.render_frame(
            FrameRenderRequest(AvatarState(), Pose(), width=32, height=32, format="png")
        )
        assert image_size(data)[1:] == (32, 32)
        assert worker not in renderer.pool.workers()
    finally:
        renderer.close()


def test_a_full_queue_is_unavailable_with_retry_after() -> None:
    renderer = NodeRenderer(workers=1, queue=0, max_render_time=30.0)
    refused: list[Unavailable] = []

    def meanwhile(fraction: float) -> None:
        # Runs while the only worker is busy with the sequence: a second job must be refused.
        if not refused and fraction < 1.0:
            try:
                renderer.render_frame(
                    FrameRenderRequest(AvatarState(), Pose(), width=32, height=32, format="png")
                )
            except Unavailable as exc:
                refused.append(exc)

    try:
        video = renderer.render_sequence(
            SequenceRenderRequest(
                AvatarState(), make_timeline(3.0), width=64, height=64, fps=30, format="gif"
            ),
            meanwhile,
        )
        video.path.unlink()
    finally:
        renderer.close()
    assert refused, "the second job was admitted past the bound"
    assert refused[0].retry_after is not None
    assert "busy" in refused[0].message


def test_check_names_what_is_missing_and_how_to_fix_it(tmp_path: Path) -> None:
    missing_node = NodeRenderer(node_path=str(tmp_path / "no-node"))
    with pytest.raises(Unavailable, match=r"node not found.*NODE_PATH"):
        missing_node.check()
    with pytest.raises(Unavailable, match="node not found"):
        missing_node.render_frame(
            FrameRenderRequest(AvatarState(), Pose(), width=32, height=32, format="png")
        )
    missing_ffmpeg = NodeRenderer(ffmpeg_path=str(tmp_path / "no-ffmpeg"))
    with pytest.raises(Unavailable, match=r"ffmpeg not found.*FFMPEG_PATH"):
        missing_ffmpeg.check()


def test_check_names_npm_ci_when_node_modules_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import avatar_service.adapters.renderer.node_package as package

    code = tmp_path / "renderer"
    code.mkdir()
    shutil.copy(SETUP.script, code / "render.js")
    monkeypatch.setattr(package, "code_dir", lambda: code)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Unavailable, match=r"npm ci --omit=dev --prefix"):
        NodeRenderer().check()


def test_ffmpeg_is_found_without_configuration() -> None:
    assert locate_ffmpeg() is not None


def test_worker_protocol_answers_ndjson(tmp_path: Path) -> None:
    job = {"id": "a", "kind": "frame", "state": {}, "pose": {}, "width": 20, "height": 10}
    bad = {"id": "b", "kind": "frame", "state": {"skin_tone": "red"}, "width": 20, "height": 10}
    done = subprocess.run(
        [SETUP.node, str(SETUP.script), "--worker"],
        input="\n".join(json.dumps(j) for j in (job, bad)) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"NODE_PATH": str(SETUP.node_modules), "PATH": "/usr/bin:/bin"},
    )
    ready, first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert ready["type"] == "ready"
    assert (first["id"], first["type"]) == ("a", "result")
    assert (second["id"], second["type"], second["code"]) == ("b", "error", "invalid")
    assert second["field"] == "state.skin_tone"


def test_expressions_on_the_timeline_reach_the_video(shared: NodeRenderer) -> None:
    timeline = Timeline(1.0, (VisemeCue("sil", 0.0, 1.0),), ((0.5, "surprised"),))
    video = shared.render_sequence(
        SequenceRenderRequest(AvatarState(), timeline, width=64, height=64, fps=10, format="gif")
    )
    video.path.unlink()
    with pytest.raises(Invalid):
        shared.render_sequence(
            SequenceRenderRequest(
                AvatarState(),
                Timeline(1.0, (), ((0.5, "bored"),)),
                width=64,
                height=64,
                fps=10,
                format="gif",
            )
        )


def test_a_render_keeps_its_temporary_audio_and_video_in_its_temp_folder(tmp_path: Path) -> None:
    """Under the data folder (where ``avatar gc`` looks), not the system's, and gone after."""
    renderer = NodeRenderer(workers=1, max_render_time=60.0, temp_dir=tmp_path / "tmp")
    seen: list[list[str]] = []
    wav = encode_wav(np.zeros(22050, dtype=np.float32), 22050)

    def progress(_fraction: float) -> None:
        seen.append(sorted(p.name.split("-")[1] for p in (tmp_path / "tmp").iterdir()))

    try:
        video = renderer.render_sequence(
            SequenceRenderRequest(
                AvatarState(),
                make_timeline(1.0),
                width=32,
                height=32,
                fps=10,
                format="mp4",
                audio_wav=wav,
            ),
            progress,
        )
    finally:
        renderer.close()
    assert ["audio", "render"] in seen, seen
    assert video.path.parent == tmp_path / "tmp"
    video.path.unlink()
    assert list((tmp_path / "tmp").iterdir()) == []
