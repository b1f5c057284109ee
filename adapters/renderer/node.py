"""The Node renderer: the avatar drawn as SVG by ``renderer/src/avatar.js``, rasterised with
resvg in a warm pool of Node workers, sequences encoded by ffmpeg with the speech muxed in.

Images: PNG, JPEG, WebP. Videos: MP4 (H.264 yuv420p + AAC, faststart), WebM (VP9 + Opus), GIF.
MP4 and WebM need an even width and height. The renderer's job JSON is its own type: state,
pose and timeline are mapped field by field below, and so are the port's request objects.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import structlog

from avatar_service.adapters.renderer.frame_cache import DEFAULT_BYTES, FrameCache, frame_key
from avatar_service.adapters.renderer.node_package import NodeSetup, resolve
from avatar_service.adapters.renderer.node_pool import Message, Worker, WorkerPool
from avatar_service.adapters.renderer.temp_folder import TempFolder
from avatar_service.core.avatar import AvatarState, Pose
from avatar_service.core.errors import Invalid, Unavailable
from avatar_service.core.ports import (
    FrameRenderRequest,
    ProgressCallback,
    RenderedVideo,
    Renderer,
    SequenceRenderRequest,
)
from avatar_service.core.speech import Timeline

MAX_SIDE = 4096
MAX_FPS = 120
CONTENT_TYPES = {"mp4": "video/mp4", "webm": "video/webm", "gif": "image/gif"}
_ids = itertools.count(1)


def state_to_job(state: AvatarState) -> dict[str, Any]:
    return {
        "skin_tone": state.skin_tone,
        "hair_style": str(state.hair_style),
        "hair_color": state.hair_color,
        "eye_color": state.eye_color,
        "brow_style": str(state.brow_style),
        "clothing_style": str(state.clothing_style),
        "clothing_color": state.clothing_color,
        "accessories": [str(a) for a in state.accessories],
        "background": state.background,
        "background_to": state.background_to,
        "expression": str(state.expression),
    }


def pose_to_job(pose: Pose) -> dict[str, Any]:
    return {
        "viseme": pose.viseme,
        "blink": pose.blink,
        "expression": None if pose.expression is None else str(pose.expression),
        "gaze_x": pose.gaze_x,
        "gaze_y": pose.gaze_y,
        "head_tilt": pose.head_tilt,
    }


def timeline_to_job(timeline: Timeline) -> dict[str, Any]:
    """The renderer's timeline; ``mouths`` (``oculus`` weights per frame, when the core gave
    them) make the mouth blend as the curves say instead of switching at cue boundaries."""
    job: dict[str, Any] = {
        "duration": timeline.duration,
        "visemes": [{"viseme": c.viseme, "start": c.start, "end": c.end} for c in timeline.visemes],
        "expressions": [[start, name] for start, name in timeline.expressions],
        "gestures": [[start, name] for start, name in timeline.gestures],
    }
    if timeline.mouth is not None:
        mouth = timeline.mouth
        job["mouths"] = {
            "fps": mouth.fps,
            "names": list(mouth.names),
            "frames": [[round(float(w), 3) for w in row] for row in mouth.frames],
        }
    return job


def frame_to_job(request: FrameRenderRequest, fmt: str) -> Message:
    """The renderer's ``frame`` job for ``request``, in the checked format ``fmt``."""
    return {
        "kind": "frame",
        "state": state_to_job(request.state),
        "pose": pose_to_job(request.pose),
        "width": request.width,
        "height": request.height,
        "format": fmt,
    }


def sequence_to_job(
    request: SequenceRenderRequest, fmt: str, audio: Path | None, output: Path
) -> Message:
    """The renderer's ``sequence`` job for ``request``, in the checked format ``fmt``; the audio
    goes by file (``audio``, or ``None``: silent) and the video to ``output``."""
    return {
        "kind": "sequence",
        "state": state_to_job(request.state),
        "timeline": timeline_to_job(request.timeline),
        "width": request.width,
        "height": request.height,
        "fps": request.fps,
        "format": fmt,
        "audio": None if audio is None else str(audio),
        "output": str(output),
    }


def _check(fmt: str, supported: frozenset[str], width: int, height: int) -> str:
    if not isinstance(fmt, str) or fmt.lower() not in supported:
        raise Invalid(
            f"format must be one of {', '.join(sorted(supported))}; got {fmt!r}", field="format"
        )
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIDE:
            raise Invalid(
                f"{name} must be an integer from 1 to {MAX_SIDE}, got {value!r}", field=name
            )
    return fmt.lower()


class NodeRenderer(Renderer):
    """Thread-safe; ``close()`` stops the workers (``Container.close`` calls it). Encoded
    frames are kept in an LRU of ``frame_cache_bytes`` (``0``: off): the same frame asked for
    again is answered from it, byte for byte the same, without a worker."""

    PLUGIN_NAME = "node"
    image_formats = frozenset({"png", "jpeg", "webp"})
    video_formats = frozenset({"mp4", "webm", "gif"})

    def __init__(
        self,
        *,
        node_path: str = "node",
        ffmpeg_path: str | None = None,
        max_render_time: float = 30.0,
        workers: int | None = None,
        queue: int = 16,
        renderer_dir: Path | None = None,
        seed: int | None = None,
        temp_dir: Path | None = None,
        frame_cache_bytes: int = DEFAULT_BYTES,
    ) -> None:
        if not max_render_time > 0:
            raise Invalid("max_render_time must be positive", field="max_render_time")
        self.max_render_time = max_render_time
        self._node_path = node_path
        self._ffmpeg_path = ffmpeg_path
        self._dir = renderer_dir
        self._seed = seed
        self.temp = TempFolder(temp_dir or Path(tempfile.gettempdir()))
        """Where the audio and video of a render in progress are kept (the service passes
        ``AVATAR_STORAGE__TEMP_DIR``, under the data folder; default: the system's)."""
        self.frames = FrameCache(frame_cache_bytes)
        self._setup: NodeSetup | None = None
        self._lock = threading.Lock()
        self.pool = WorkerPool(
            self._spawn, workers or os.cpu_count() or 1, queue, max_wait=max_render_time
        )

    def check(self) -> None:
        """``Unavailable`` naming what is missing (node, node_modules, ffmpeg) and the fix."""
        self._resolved()

    def _resolved(self) -> NodeSetup:
        with self._lock:
            if self._setup is None:
                self._setup = resolve(self._node_path, self._ffmpeg_path, self._dir)
            return self._setup

    def _spawn(self) -> Worker:
        setup = self._resolved()
        env = {k: v for k, v in os.environ.items() if k != "NODE_PATH"}
        env["NODE_PATH"] = str(setup.node_modules)  # Node's module search path, not the binary
        env["FFMPEG_PATH"] = setup.ffmpeg
        return Worker([setup.node, str(setup.script), "--worker"], env)

    def _run(self, job: Message, progress: ProgressCallback | None = None) -> Message:
        setup = self._resolved()
        job = {"id": f"j{next(_ids)}", "ffmpeg": setup.ffmpeg, **job}
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if isinstance(request_id, str):
            job["request_id"] = request_id  # the renderer logs its errors with it
        seen = [0.0]

        def relay(message: Message) -> None:
            fraction = message.get("fraction")
            if progress is not None and isinstance(fraction, int | float):
                seen[0] = max(seen[0], min(1.0, float(fraction)))
                progress(seen[0])

        answer = self.pool.run(job, self.max_render_time, relay)
        if answer.get("type") == "error":
            message = str(answer.get("message") or "the renderer failed")
            if answer.get("code") == "invalid":
                raise Invalid(message, field=answer.get("field") or None)
            raise Unavailable(f"the renderer failed: {message}")
        return answer

    def render_frame(self, request: FrameRenderRequest) -> bytes:
        """Encoded image bytes of exactly ``width`` x ``height``."""
        fmt = _check(request.format, self.image_formats, request.width, request.height)
        job = frame_to_job(request, fmt)
        key = frame_key(job)
        cached = self.frames.get(key)
        if cached is not None:
            return cached
        answer = self._run(job)
        try:
            image = base64.b64decode(answer["data"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            raise Unavailable("the renderer answered without image data") from None
        self.frames.put(key, image)
        return image

    def render_sequence(
        self, request: SequenceRenderRequest, progress: ProgressCallback | None = None
    ) -> RenderedVideo:
        """A video file (the caller deletes it); blinks and idle motion are seeded from the
        timeline, so the same input gives the same video."""
        timeline, width, height, fps = request.timeline, request.width, request.height, request.fps
        fmt = _check(request.format, self.video_formats, width, height)
        if isinstance(fps, bool) or not isinstance(fps, int) or not 1 <= fps <= MAX_FPS:
            raise Invalid(f"fps must be an integer from 1 to {MAX_FPS}, got {fps!r}", field="fps")
        if fmt in ("mp4", "webm") and (width % 2 or height % 2):
            raise Invalid(
                f"{fmt} needs an even width and height; got {width}x{height}",
                field="width" if width % 2 else "height",
            )
        if not timeline.duration > 0 or round(timeline.duration * fps) < 1:
            raise Invalid(f"the timeline is shorter than one frame at {fps} fps", field="duration")
        output, audio = self.temp.new_file("render", f".{fmt}"), None
        try:
            if request.audio_wav is not None and fmt != "gif":
                audio = self.temp.new_file("audio", ".wav")
                audio.write_bytes(request.audio_wav)
            job = sequence_to_job(request, fmt, audio, output)
            if self._seed is not None:
                job["seed"] = self._seed
            answer = self._run(job, progress)
            if not output.stat().st_size:
                raise Unavailable("the renderer wrote an empty video")
        except BaseException:
            output.unlink(missing_ok=True)
            raise
        finally:
            if audio is not None:
                audio.unlink(missing_ok=True)
        frames = int(answer.get("frames", round(timeline.duration * fps)))
        if progress is not None:
            progress(1.0)
        return RenderedVideo(
            output, fmt, CONTENT_TYPES[fmt], frames / fps, fps, frames, width, height
        )

    def pool_stats(self) -> dict[str, int]:
        """The worker pool's counts (``WorkerPool.stats``) and the bytes of encoded frames
        the frame cache holds, for metrics."""
        return {**self.pool.stats(), "frame_cache_bytes": self.frames.bytes}

    def close(self) -> None:
        self.pool.close()
