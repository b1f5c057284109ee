"""Rendering benchmarks (targets beside the figures, not asserted):

1. one 512x512 PNG frame from a warm Node worker pool: p50 latency (target <= 25 ms);
2. a 10-second talking clip, 512x512 at 30 fps, MP4 with audio, end to end from text (speech,
   lip sync, rendering, storing) against ffmpeg alone encoding the same frames from a raw file
   in the same run (the floor): wall time (target <= 1.5 s) and ratio (target <= 1.5x);
3. 8 concurrent sequence renders: all complete; total wall time and peak memory of the whole
   process tree (Python, Node workers, ffmpeg).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from stats import summary, timed

from avatar_service.adapters.renderer.node import NodeRenderer
from avatar_service.core.avatar import AvatarState, Pose
from avatar_service.core.ports import FrameRenderRequest
from avatar_service.core.records import Namespace
from avatar_service.core.usecases.render_requests import SequenceRequest
from avatar_service.core.usecases.speech import SpeechRequest
from avatar_service.entrypoints.bootstrap import Container, bootstrap
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

TEXT_10S = (
    "Welcome to avatar service. Type a sentence, and a friendly character reads it aloud, "
    "with lips that move in time with every word. It runs on your own machine, quickly."
)
TEXT_SHORT = "Hello there, this is one of eight clips rendered at the same time."
MP4_ARGS = [
    *("-c:v", "libx264", "-preset", "veryfast", "-tune", "animation", "-crf", "23"),
    *("-pix_fmt", "yuv420p", "-movflags", "+faststart", "-c:a", "aac", "-b:a", "96k"),
]
"""The Node renderer's own MP4 settings (renderer/src/encode.js), so the floor is comparable."""


def container(tts: str) -> Container:
    settings = Settings(
        tts=tts,
        aligner="mock",
        renderer="node",
        store="memory",
        blobs="memory",
        _env_file=None,
    )
    return bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))


def pick_tts() -> str:
    try:
        c = container("espeak")
        c.adapters.synthesizer.check()
        c.close()
        return "espeak"
    except Exception:  # espeak not available here: the mock voice has the same shape
        return "mock"


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


class PeakMemory:
    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(os.getpid()))
            self._stop.wait(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def frame_latency() -> None:
    renderer = NodeRenderer(workers=2)
    try:
        state = AvatarState(background_to="#cfe3ff", accessories=("glasses",))  # type: ignore[arg-type]
        poses = [Pose(viseme=v) for v in ("aa", "E", "oh", "PP", "sil")]
        counter = [0]

        def one() -> None:
            counter[0] += 1
            renderer.render_frame(
                FrameRenderRequest(
                    state, poses[counter[0] % len(poses)], width=512, height=512, format="png"
                )
            )

        samples = timed(one, repeat=60, warmup=6)
        print(summary("512x512 PNG frame, warm pool", samples) + "   [target p50 <= 25 ms]")
    finally:
        renderer.close()


def clip_vs_floor(tts: str) -> None:
    c = container(tts)
    try:
        warm = SequenceRequest("ava", speech=SpeechRequest("Hi"), width=64, height=64, fps=10)
        c.rendering.render_sequence(warm)
        request = SequenceRequest(
            "ava", speech=SpeechRequest(TEXT_10S), width=512, height=512, fps=30, format="mp4"
        )
        walls, record = [], None
        for _ in range(3):
            started = time.perf_counter()
            record = c.rendering.render_sequence(request)
            walls.append(time.perf_counter() - started)
        assert record is not None
        e2e = statistics.median(walls)
        print(
            f"{record.duration:.2f} s talking clip ({tts} voice), 512x512@30 MP4+AAC, end to end "
            f"from text: median {e2e:.2f} s of {len(walls)} (frames {record.frames})"
            "   [target <= 1.5 s]"
        )
        floor = ffmpeg_floor(c, record.blob_name, record.duration or 0.0)
        print(f"ffmpeg alone encoding the same frames from a raw file: {floor:.2f} s")
        print(f"ratio end-to-end / floor: {e2e / floor:.2f}x   [target <= 1.5x]")
    finally:
        c.close()


def ffmpeg_floor(c: Container, blob_name: str, duration: float) -> float:
    renderer = c.adapters.renderer
    assert isinstance(renderer, NodeRenderer)
    ffmpeg = renderer._resolved().ffmpeg
    with tempfile.TemporaryDirectory() as tmp:
        video, raw, wav = Path(tmp, "in.mp4"), Path(tmp, "frames.rgba"), Path(tmp, "a.wav")
        video.write_bytes(b"".join(c.assets.read(Namespace.RENDERS, blob_name)))
        quiet = ["-hide_banner", "-loglevel", "error", "-y"]
        subprocess.run(
            [ffmpeg, *quiet, "-i", str(video), "-f", "rawvideo", "-pix_fmt", "rgba", str(raw)],
            check=True,
        )
        subprocess.run([ffmpeg, *quiet, "-i", str(video), "-vn", str(wav)], check=True)
        samples = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(
                [
                    ffmpeg,
                    *quiet,
                    "-f",
                    "rawvideo",
                    "-pix_fmt",
                    "rgba",
                    "-s",
                    "512x512",
                    "-r",
                    "30",
                    "-i",
                    str(raw),
                    "-i",
                    str(wav),
                    *MP4_ARGS,
                    str(Path(tmp, "out.mp4")),
                ],
                check=True,
            )
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)


def concurrent(tts: str) -> None:
    c = container(tts)
    try:
        request = SequenceRequest(
            "leo", speech=SpeechRequest(TEXT_SHORT), width=512, height=512, fps=30, format="mp4"
        )
        c.rendering.render_sequence(
            SequenceRequest("leo", speech=SpeechRequest("Hi"), width=64, height=64, fps=10)
        )
        with PeakMemory() as memory, ThreadPoolExecutor(max_workers=8) as pool:
            started = time.perf_counter()
            records = list(pool.map(lambda _: c.rendering.render_sequence(request), range(8)))
            wall = time.perf_counter() - started
        seconds = sum(r.duration or 0 for r in records)
        print(
            f"8 concurrent sequences ({records[0].duration:.2f} s each, 512x512@30 MP4): "
            f"{len(records)}/8 complete in {wall:.2f} s ({seconds / wall:.1f} s of video per s), "
            f"peak memory {memory.peak / 2**20:.0f} MiB (Python + Node workers + ffmpeg)"
        )
    finally:
        c.close()


def main() -> None:
    tts = pick_tts()
    print(f"cores: {os.cpu_count()}, pool: {os.cpu_count()} workers")
    frame_latency()
    clip_vs_floor(tts)
    concurrent(tts)


if __name__ == "__main__":
    main()
