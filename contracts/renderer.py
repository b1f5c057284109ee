"""Contract suite for ``Renderer`` adapters (see ``core.ports.Renderer``).

Image and video headers are read back with the stdlib parsers in ``_media`` -- the suite
does not take the renderer's word for what it produced.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from avatar_service.contracts._media import canonical_format, image_size, sniff_format
from avatar_service.contracts._requests import with_added_field
from avatar_service.core.audio import encode_wav
from avatar_service.core.avatar import Accessory, AvatarState, Expression, Pose
from avatar_service.core.errors import Invalid, TimedOut
from avatar_service.core.ports import (
    FrameRenderRequest,
    RenderedVideo,
    Renderer,
    SequenceRenderRequest,
)
from avatar_service.core.speech import Timeline, VisemeCue

SIZES = ((96, 64), (64, 96))
"""Non-square on purpose, both ways round, so swapped width and height are caught."""
FPS = 10


def make_timeline(duration: float) -> Timeline:
    """Contiguous viseme cues over ``duration`` seconds, with one expression change."""
    shapes = ("sil", "PP", "aa", "E", "oh", "SS", "sil")
    step = duration / len(shapes)
    cues = tuple(
        VisemeCue(shape, round(i * step, 6), round(min(duration, (i + 1) * step), 6))
        for i, shape in enumerate(shapes)
    )
    return Timeline(duration, cues, ((duration / 2, str(Expression.HAPPY)),))


def assert_video(video: RenderedVideo, fmt: str, timeline: Timeline, size: tuple[int, int]) -> None:
    """The file exists with the right magic bytes, and the metadata matches the request."""
    width, height = size
    assert isinstance(video, RenderedVideo), f"render_sequence returned {type(video).__name__}"
    assert video.path.is_file(), f"{video.path} does not exist"
    head = video.path.read_bytes()[:64]
    assert head, f"{video.path} is empty"
    expected = canonical_format(fmt)
    if expected in ("mp4", "webm", "gif", "png", "webp"):
        assert sniff_format(head) == expected, f"{fmt} file starts with {head[:12]!r}"
    if expected == "gif":
        _, gif_width, gif_height = image_size(head)
        assert (gif_width, gif_height) == size, f"GIF screen is {gif_width}x{gif_height}"
    assert video.format == fmt
    assert video.content_type, "no content_type"
    assert video.fps == FPS
    assert video.frames == round(timeline.duration * FPS), (
        f"{video.frames} frames for {timeline.duration} s at {FPS} fps"
    )
    assert abs(video.duration - timeline.duration) <= 1 / FPS, f"duration {video.duration}"
    assert (video.width, video.height) == (width, height)


def frame_request(
    state: AvatarState, pose: Pose, width: int, height: int, fmt: str
) -> FrameRenderRequest:
    """The frame request these parameters make, as the tests below build it."""
    return FrameRenderRequest(state, pose, width=width, height=height, format=fmt)


def sequence_request(
    state: AvatarState,
    timeline: Timeline,
    audio_wav: bytes | None,
    width: int,
    height: int,
    fps: int,
    fmt: str,
) -> SequenceRenderRequest:
    """The sequence request these parameters make, as the tests below build it."""
    return SequenceRenderRequest(
        state, timeline, width=width, height=height, fps=fps, format=fmt, audio_wav=audio_wav
    )


def _video_formats(adapter: Renderer) -> list[str]:
    if not adapter.video_formats:
        pytest.skip("renderer produces no video format")
    return sorted(adapter.video_formats)


@pytest.mark.contract
class RendererContract:
    """Subclass as ``class TestMine(RendererContract)`` and override ``adapter``.

    Override ``slow_adapter`` to return the same renderer configured with a tiny time limit
    (e.g. ``max_render_time=0``) so the time-out behaviour is tested; by default it skips.
    """

    @pytest.fixture
    def adapter(self) -> Renderer:
        """The renderer under test, ready to use."""
        raise NotImplementedError("must be overridden in derived classes")

    @pytest.fixture
    def slow_adapter(self) -> Renderer:
        """A renderer whose time limit a few seconds of video exceeds."""
        pytest.skip("adapter provides no slow configuration")

    @pytest.fixture
    def audio_wav(self) -> bytes:
        """One second of a 220 Hz tone as 16 kHz PCM16 WAV."""
        t = np.arange(16000, dtype=np.float32) / 16000
        return encode_wav((0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)

    @pytest.fixture
    def state(self) -> AvatarState:
        return AvatarState(accessories=(Accessory.GLASSES,), background_to="#112233")

    @pytest.fixture
    def videos(self) -> Iterator[list[RenderedVideo]]:
        """Collects rendered videos and deletes their files afterwards (the caller owns them)."""
        made: list[RenderedVideo] = []
        yield made
        for video in made:
            video.path.unlink(missing_ok=True)

    def test_adapter_implements_the_port(self, adapter: Renderer) -> None:
        assert isinstance(adapter, Renderer)
        adapter.check()  # raises Unavailable if the adapter is not usable

    def test_formats_are_declared_lowercase(self, adapter: Renderer) -> None:
        assert adapter.image_formats, "no image format"
        for fmt in adapter.image_formats | adapter.video_formats:
            assert isinstance(fmt, str), f"format {fmt!r} is not a string"
            assert fmt, "empty format name"
            assert fmt == fmt.lower(), f"format {fmt!r} is not lowercase"

    def test_frame_decodes_to_the_requested_size_and_format(
        self, adapter: Renderer, state: AvatarState
    ) -> None:
        pose = Pose(viseme="aa", blink=0.5, expression=Expression.SURPRISED, head_tilt=5)
        for fmt in sorted(adapter.image_formats):
            for width, height in SIZES:
                data = adapter.render_frame(frame_request(state, pose, width, height, fmt))
                assert isinstance(data, bytes), f"{fmt} frame is {type(data).__name__}"
                kind, got_w, got_h = image_size(data)
                assert kind == canonical_format(fmt), f"asked for {fmt}, got {kind}"
                assert (got_w, got_h) == (width, height), f"{fmt}: {got_w}x{got_h}"

    @pytest.mark.parametrize("duration", [1.0, 0.53])
    def test_sequence_writes_a_video_matching_the_request(
        self,
        adapter: Renderer,
        state: AvatarState,
        audio_wav: bytes,
        videos: list[RenderedVideo],
        duration: float,
    ) -> None:
        timeline = make_timeline(duration)
        for fmt in _video_formats(adapter):
            video = adapter.render_sequence(
                sequence_request(state, timeline, audio_wav, 96, 64, FPS, fmt)
            )
            videos.append(video)
            assert_video(video, fmt, timeline, (96, 64))

    def test_sequence_without_audio_works(
        self, adapter: Renderer, state: AvatarState, videos: list[RenderedVideo]
    ) -> None:
        timeline = make_timeline(0.5)
        for fmt in _video_formats(adapter):
            video = adapter.render_sequence(
                sequence_request(state, timeline, None, 64, 96, FPS, fmt)
            )
            videos.append(video)
            assert_video(video, fmt, timeline, (64, 96))

    def test_each_sequence_gets_a_new_file(
        self, adapter: Renderer, state: AvatarState, videos: list[RenderedVideo]
    ) -> None:
        for fmt in _video_formats(adapter):
            first = adapter.render_sequence(
                sequence_request(state, make_timeline(0.3), None, 64, 64, FPS, fmt)
            )
            second = adapter.render_sequence(
                sequence_request(state, make_timeline(0.3), None, 64, 64, FPS, fmt)
            )
            videos.extend((first, second))
            assert first.path != second.path
            assert first.path.is_file()
            assert second.path.is_file()

    def test_progress_is_non_decreasing_and_ends_at_one(
        self, adapter: Renderer, state: AvatarState, videos: list[RenderedVideo]
    ) -> None:
        for fmt in _video_formats(adapter):
            seen: list[float] = []
            timeline = make_timeline(0.5)
            videos.append(
                adapter.render_sequence(
                    sequence_request(state, timeline, None, 64, 64, FPS, fmt), seen.append
                )
            )
            assert seen, f"{fmt}: progress was never called"
            assert all(0.0 <= f <= 1.0 for f in seen), f"{fmt}: fractions {seen}"
            assert seen == sorted(seen), f"{fmt}: progress went backwards: {seen}"
            assert seen[-1] == 1.0, f"{fmt}: progress ended at {seen[-1]}"

    def test_a_request_with_a_field_added_later_is_rendered_as_without_it(
        self, adapter: Renderer, state: AvatarState, videos: list[RenderedVideo]
    ) -> None:
        """Requests gain fields with defaults; a renderer reads the fields it knows by name, so
        a request with one it has never heard of is still rendered as the contract says."""
        image_format = sorted(adapter.image_formats)[0]
        data = adapter.render_frame(
            with_added_field(frame_request(state, Pose(), 96, 64, image_format))
        )
        assert image_size(data) == (canonical_format(image_format), 96, 64)
        timeline = make_timeline(0.3)
        for fmt in sorted(adapter.video_formats):
            video = adapter.render_sequence(
                with_added_field(sequence_request(state, timeline, None, 96, 64, FPS, fmt))
            )
            videos.append(video)
            assert_video(video, fmt, timeline, (96, 64))

    def test_unsupported_format_is_invalid(self, adapter: Renderer, state: AvatarState) -> None:
        for fmt in ("bmp", "definitely-not-a-format"):
            if fmt not in adapter.image_formats:
                with pytest.raises(Invalid):
                    adapter.render_frame(frame_request(state, Pose(), 64, 64, fmt))
            if fmt not in adapter.video_formats:
                with pytest.raises(Invalid):
                    adapter.render_sequence(
                        sequence_request(state, make_timeline(0.2), None, 64, 64, FPS, fmt)
                    )

    @pytest.mark.parametrize(("width", "height"), [(0, 64), (64, 0), (-64, 64)])
    def test_bad_size_is_invalid(
        self, adapter: Renderer, state: AvatarState, width: int, height: int
    ) -> None:
        image_format = sorted(adapter.image_formats)[0]
        with pytest.raises(Invalid):
            adapter.render_frame(frame_request(state, Pose(), width, height, image_format))
        for fmt in sorted(adapter.video_formats):
            with pytest.raises(Invalid):
                adapter.render_sequence(
                    sequence_request(state, make_timeline(0.2), None, width, height, FPS, fmt)
                )

    def test_concurrent_frame_renders_all_succeed(
        self, adapter: Renderer, state: AvatarState
    ) -> None:
        fmt = sorted(adapter.image_formats)[0]
        poses = [Pose(viseme=v) for v in ("aa", "PP", "oh", "sil")]
        with ThreadPoolExecutor(max_workers=4) as pool:
            frames = list(
                pool.map(
                    lambda p: adapter.render_frame(frame_request(state, p, 96, 64, fmt)), poses
                )
            )
        for data in frames:
            assert image_size(data)[1:] == (96, 64)

    def test_work_over_the_time_limit_times_out(
        self, slow_adapter: Renderer, state: AvatarState, audio_wav: bytes
    ) -> None:
        fmt = _video_formats(slow_adapter)[0]
        with pytest.raises(TimedOut):
            slow_adapter.render_sequence(
                sequence_request(state, make_timeline(10.0), audio_wav, 256, 256, 30, fmt)
            )
