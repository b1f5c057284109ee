"""``avatar voices`` (every voice, the default marked) and ``avatar voices download``."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from avatar_service.entrypoints.cli.output import echo_table, emit_json, json_option
from avatar_service.entrypoints.cli.state import CliState, pass_state


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def voices(ctx: click.Context, as_json: bool) -> None:
    """List every voice (Piper and espeak-ng): engine, language, gender, quality, sample rate
    and timing (exact: the engine's own durations; aligned: timed by the aligner). The
    default voice is marked with *."""
    if ctx.invoked_subcommand is not None:
        return
    found = ctx.find_object(CliState) or CliState()
    found.discard_records(keep=False)  # listing voices writes nothing
    speech = found.container().speech
    listed = speech.voices()
    default = speech.default_voice()
    default_id = None if default is None else default.voice_id
    if as_json:
        emit_json({"voices": [asdict(voice) for voice in listed], "default_voice": default_id})
        return
    rows = [["", "VOICE", "NAME", "LANGUAGE", "ENGINE", "GENDER", "QUALITY", "RATE", "TIMING"]]
    rows += [
        [
            "*" if v.voice_id == default_id else "",
            v.voice_id,
            v.name,
            v.language,
            v.engine,
            v.gender or "",
            v.quality or "",
            str(v.sample_rate),
            v.timing,
        ]
        for v in listed
    ]
    echo_table(rows)


@voices.command("download")
@click.argument("source")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to put it [default: AVATAR_SPEECH__PIPER_VOICES_DIR, ./data/voices].",
)
@click.option("--sha256", help="The model's sha256 (hex): a model that differs is refused.")
@click.option(
    "--gender",
    type=click.Choice(["female", "male"]),
    help="Record the voice's gender in its config (Piper configs carry none).",
)
@pass_state
def voices_download(
    state: CliState, source: str, folder: Path | None, sha256: str | None, gender: str | None
) -> None:
    """Put a Piper voice into the voices folder. SOURCE is an http(s) URL or a local path of
    a *.onnx model (its *.onnx.json config is fetched from beside it), or a voice name
    (e.g. en_US-lessac-medium) fetched from the Piper voices repository.

    The model is written only when complete and, with --sha256, only when it hashes to it.
    The voices folder is one of the places the piper engine looks.
    """
    from avatar_service.entrypoints.bootstrap import download_voice

    target = folder or state.settings().speech.piper_voices_dir
    for path in download_voice(source, target, sha256=sha256, gender=gender):
        click.echo(f"wrote {path}")


COMMANDS = (voices,)
