"""Render commands: ``say`` (text -> talking video, the one-command demo) and ``render`` (one
frame)."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from avatar_service.core.errors import Invalid
from avatar_service.entrypoints.cli.output import (
    LazyChoice,
    emit_json,
    json_option,
    voice_option,
    writable_output,
    write_failed,
)
from avatar_service.entrypoints.cli.speech import read_recording
from avatar_service.entrypoints.cli.state import CliState, keep_option, pass_state

if TYPE_CHECKING:
    from avatar_service.core.ports import Store
    from avatar_service.core.records import RenderRecord

DEFAULT_AVATAR = "ava"
_SIZE = re.compile(r"^(\d{1,5})(?:x(\d{1,5}))?$")
_ALIASES = {"jpg": "jpeg"}


def parse_size(text: str) -> tuple[int, int]:
    """``512`` -> (512, 512); ``640x360`` -> (640, 360)."""
    match = _SIZE.match(text.strip().lower())
    if not match:
        raise Invalid(f"size must be N or WxH (e.g. 512 or 640x360), got {text!r}", field="size")
    width = int(match.group(1))
    return width, int(match.group(2) or width)


def output_format(output: Path, given: str | None) -> str:
    fmt = given or output.suffix.lstrip(".").lower()
    if not fmt:
        raise Invalid("give --format or an output file name with an extension", field="format")
    return _ALIASES.get(fmt, fmt)


def save(state: CliState, record: RenderRecord, output: Path) -> None:
    """Copy the stored render to ``output``."""
    from avatar_service.core.records import Namespace

    container = state.container()
    try:
        with output.open("wb") as handle:
            for chunk in container.assets.read(Namespace.RENDERS, record.blob_name):
                handle.write(chunk)
    except OSError as exc:
        raise write_failed(output, exc) from exc


def use_avatar(state: CliState, avatar_id: str, keep: bool) -> None:
    """Decide where records go (see ``--keep``); without ``--keep`` a stored avatar (not a
    built-in character) is read from the configured store into the in-memory one."""
    state.discard_records(keep)
    container = state.container()
    if keep or avatar_id in container.rendering.characters():
        return
    settings = state.settings()
    stored: Store = container.registry.create("store", settings.store, settings)
    try:
        avatar = stored.get_avatar(avatar_id)
    finally:
        close = getattr(stored, "close", None)
        if callable(close):
            close()
    container.adapters.store.create_avatar(avatar)


def _visemes() -> tuple[str, ...]:
    from avatar_service.core.visemes import OCULUS_VISEMES

    return tuple(OCULUS_VISEMES)


def _expressions() -> list[str]:
    from avatar_service.core.avatar import Expression

    return [e.value for e in Expression]


avatar_option = click.option(
    "--avatar",
    "avatar_id",
    default=DEFAULT_AVATAR,
    show_default=True,
    help="Avatar id: a stored avatar or a built-in character (ava, leo, mia, sam, noah).",
)
size_option = click.option(
    "--size", default="512", show_default=True, help="Frame size: N (square) or WxH, px."
)
output_option = click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=writable_output,
    help="File to write; its extension picks the format unless --format is given.",
)


@click.command()
@click.argument("text", required=False)
@output_option
@click.option(
    "--audio",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A recording (WAV, FLAC, OGG, MP3) to speak instead of TEXT: the video has its "
    "sound, the mouth follows the phones recognised in it (English).",
)
@click.option("--text", "transcript", help="With --audio: what the recording says.")
@avatar_option
@voice_option
@size_option
@click.option("--fps", type=int, default=25, show_default=True, help="Frames per second.")
@click.option("--format", "fmt", type=click.Choice(["mp4", "webm", "gif"]), help="Video format.")
@json_option
@keep_option
@pass_state
def say(
    state: CliState,
    text: str | None,
    output: Path,
    audio: Path | None,
    transcript: str | None,
    avatar_id: str,
    voice: str | None,
    size: str,
    fps: int,
    fmt: str | None,
    as_json: bool,
    keep: bool,
) -> None:
    """Make a video of the avatar saying TEXT, with sound: avatar say "Hello there" -o hi.mp4

    With --audio take.wav instead of TEXT, the avatar mouths the recording. Only the video
    is written unless --keep.
    """
    from avatar_service.core.recognition import RECORDED_VOICE
    from avatar_service.core.usecases.recognition import RecordingRequest
    from avatar_service.core.usecases.render_requests import SequenceRequest
    from avatar_service.core.usecases.speech import SpeechRequest

    width, height = parse_size(size)
    use_avatar(state, avatar_id, keep)
    if (text is None) == (audio is None):
        raise Invalid("give TEXT, or --audio with a recording", field="text")
    speech, audio_id = None, None
    if audio is not None:
        samples, rate = read_recording(state, audio)
        kept = state.container().recognition.lipsync(
            RecordingRequest(samples, rate, text=transcript, avatar_id=None)
        )
        audio_id = kept.audio.audio_id
    else:
        if transcript is not None:
            raise Invalid("--text goes with --audio; give the text as TEXT", field="text")
        assert text is not None
        speech = SpeechRequest(text, voice, avatar_id=avatar_id)
    request = SequenceRequest(
        avatar_id,
        speech=speech,
        audio_id=audio_id,
        width=width,
        height=height,
        fps=fps,
        format=output_format(output, fmt),
    )
    rendering = state.container().rendering
    show = not as_json and sys.stderr.isatty()
    with click.progressbar(
        length=1000, label="rendering", file=sys.stderr if show else io.StringIO()
    ) as bar:
        done = [0]

        def progress(fraction: float) -> None:
            step = int(fraction * 1000) - done[0]
            if step > 0:
                bar.update(step)
                done[0] += step

        try:
            record = rendering.render_sequence(request, progress)
            save(state, record, output)
            spoken = (
                RECORDED_VOICE if audio is not None else voice or spoken_voice(state, avatar_id)
            )
        finally:
            state.container().close()  # stop the renderer's workers
    if as_json:
        emit_json(
            {
                "output": str(output),
                "render_id": record.render_id,
                "format": record.format,
                "duration": record.duration,
                "fps": record.fps,
                "frames": record.frames,
                "width": record.width,
                "height": record.height,
                "voice": spoken,
            }
        )
        return
    by = "" if spoken is None else f", voice {spoken}"
    click.echo(
        f"wrote {output} ({record.duration or 0:.2f} s, {record.frames} frames at {record.fps} "
        f"fps, {record.width}x{record.height} {record.format}{by})"
    )


def spoken_voice(state: CliState, avatar_id: str) -> str | None:
    """The voice a request without ``voice`` for ``avatar_id`` speaks with: the avatar's
    voice, else the default voice (the lip-sync use case picks it the same way)."""
    speech = state.container().speech
    chosen = speech.voice_for_avatar(avatar_id)
    if chosen is not None:
        return chosen
    default = speech.default_voice()
    return None if default is None else default.voice_id


@click.command()
@output_option
@avatar_option
@size_option
@click.option("--viseme", type=LazyChoice(_visemes), default="sil", show_default=True)
@click.option("--expression", type=LazyChoice(_expressions))
@click.option("--prompt", help='Free text such as "smiling, looking left" (see warnings).')
@click.option("--format", "fmt", type=click.Choice(["png", "jpeg", "webp"]), help="Image format.")
@keep_option
@pass_state
def render(
    state: CliState,
    output: Path,
    avatar_id: str,
    size: str,
    viseme: str,
    expression: str | None,
    prompt: str | None,
    fmt: str | None,
    keep: bool,
) -> None:
    """Render one frame of the avatar to an image file (only that file unless --keep)."""
    from avatar_service.core.avatar import Expression, Pose
    from avatar_service.core.usecases.render_requests import FrameRequest

    width, height = parse_size(size)
    use_avatar(state, avatar_id, keep)
    pose = Pose(viseme=viseme, expression=Expression(expression) if expression else None)
    request = FrameRequest(
        avatar_id, width, height, output_format(output, fmt), pose, prompt=prompt
    )
    try:
        result = state.container().rendering.frame(request)
        save(state, result.record, output)
    finally:
        state.container().close()  # stop the renderer's workers
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"wrote {output} ({width}x{height} {result.record.format})")


COMMANDS = (say, render)
