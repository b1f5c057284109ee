"""The ``avatar`` command line: parse arguments, call the use cases, format the result.

Every ``AvatarServiceError``, ``PluginError`` and settings validation error ends as one
``error: <message>`` line on stderr and exit code 2 (bad input or configuration) or 1 (a
dependency failed at run time); never a traceback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
import pydantic
import uvicorn
from dotenv import dotenv_values

from avatar_service.core.audio import encode_wav
from avatar_service.core.errors import (
    AvatarServiceError,
    Conflict,
    Invalid,
    NotFound,
    PreconditionFailed,
    TooLarge,
)
from avatar_service.core.phonemes import split_stress
from avatar_service.core.speech import SynthesisOptions
from avatar_service.core.usecases.speech import SpeechRequest, check_alphabet, phoneme_label
from avatar_service.core.visemes import VISEME_SETS, check_viseme_set
from avatar_service.entrypoints.bootstrap import Container, adapter_names, bootstrap
from avatar_service.entrypoints.cli_doctor import check_tools
from avatar_service.entrypoints.logging import configure_logging
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import build_registry, describe_plugins, make_plugin_manager
from avatar_service.plugins.registry import PluginError

APP_FACTORY = "avatar_service.entrypoints.http.app:app_from_environment"
LOG_LEVELS = ("debug", "info", "warning", "error")
EXIT_FAILURE = 1
EXIT_USAGE = 2
USAGE_ERRORS: tuple[type[Exception], ...] = (
    PluginError, pydantic.ValidationError, Invalid, NotFound, TooLarge, Conflict,
    PreconditionFailed,
)  # fmt: skip
"""Errors the caller fixes by changing the command or the configuration (exit 2)."""

F = TypeVar("F", bound=Callable[..., Any])


def error_message(exc: Exception) -> str:
    """The error as one line."""
    if isinstance(exc, AvatarServiceError):
        text = exc.message
    elif isinstance(exc, pydantic.ValidationError):
        text = "invalid settings: " + "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
    else:
        text = str(exc)
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


class AvatarGroup(click.Group):
    """A group that turns the service's errors into one ``error:`` line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (AvatarServiceError, PluginError, pydantic.ValidationError) as exc:
            click.echo(f"error: {error_message(exc)}", err=True)
            ctx.exit(EXIT_USAGE if isinstance(exc, USAGE_ERRORS) else EXIT_FAILURE)


@dataclass
class CliState:
    """Settings and container, built on first use (so ``--help`` needs neither)."""

    _settings: Settings | None = None
    _container: Container | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings()
            configure_logging(self._settings)
        return self._settings

    def container(self) -> Container:
        if self._container is None:
            self._container = bootstrap(self.settings())
        return self._container


pass_state = click.make_pass_decorator(CliState, ensure=True)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


def voice_option(f: F) -> F:
    return click.option("--voice", help="Voice id (see `avatar voices`); default: the engine's.")(f)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def echo_table(rows: Sequence[Sequence[str]], indent: str = "") -> None:
    """Rows as left-aligned columns."""
    if not rows:
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo(indent + line.rstrip())


def load_env_file(path: Path) -> None:
    """Put the file's variables into the environment; variables already set win. Going through
    the environment lets uvicorn's worker processes see them too."""
    for key, value in dotenv_values(path).items():
        if value is not None:
            os.environ.setdefault(key, value)


@click.group(cls=AvatarGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="avatar-service", prog_name="avatar")
@click.option(
    "--env-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Load settings from this .env file (variables already in the environment win).",
)
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    help="Log level (overrides AVATAR_LOG__LEVEL).",
)
@click.pass_context
def main(ctx: click.Context, env_file: Path | None, log_level: str | None) -> None:
    """Talking-avatar engine: serve the HTTP API, make speech and timings, inspect the set-up.

    Settings come from AVATAR_* environment variables and ./.env (see `avatar config`).
    """
    if env_file is not None:
        load_env_file(env_file)
    if log_level is not None:
        os.environ["AVATAR_LOG__LEVEL"] = log_level.lower()
    ctx.obj = CliState()


# -- operations -----------------------------------------------------------------------------


@main.command()
@click.option("--host", help="Address to bind [default: AVATAR_SERVER__HOST or 127.0.0.1].")
@click.option(
    "--port", type=click.IntRange(1, 65535), help="Port [default: AVATAR_SERVER__PORT or 8000]."
)
@click.option(
    "--reload/--no-reload", default=False, help="Restart when the code changes (development)."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Worker processes [default: AVATAR_SERVER__WORKERS or 1].",
)
@pass_state
def serve(
    state: CliState, host: str | None, port: int | None, reload: bool, workers: int | None
) -> None:  # fmt: skip
    """Run the HTTP API with uvicorn.

    The configured adapter names are checked first: an unknown one exits with code 2 before
    anything starts.
    """
    settings = state.settings()
    check_adapter_names(settings)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host or settings.server.host,
        port=port or settings.server.port,
        reload=reload,
        workers=1 if reload else (workers or settings.server.workers),
        log_config=None,
        log_level=settings.log.level,
    )


def check_adapter_names(settings: Settings) -> None:
    """Raise ``UnknownAdapter`` unless a plugin registered every configured adapter name; no
    adapter is built."""
    registry = build_registry(make_plugin_manager())
    for port, name in adapter_names(settings).items():
        registry.require(port, name)


@main.command()
@json_option
def plugins(as_json: bool) -> None:
    """List plugins and the adapters each one registered.

    Shows each plugin's distribution, version, hooks and adapter names per port.
    """
    pm = make_plugin_manager()
    infos = describe_plugins(pm, build_registry(pm))
    if as_json:
        emit_json({"plugins": [asdict(info) for info in infos]})
        return
    for info in infos:
        origin = f" (from {info.distribution})" if info.distribution else ""
        click.echo(f"{info.name} {info.version or 'unknown version'}{origin}")
        rows = [[port, ", ".join(names)] for port, names in info.registered.items()]
        echo_table([*rows, ["hooks", ", ".join(info.hooks) or "none"]], indent="  ")


@main.command()
@json_option
@pass_state
def config(state: CliState, as_json: bool) -> None:
    """Show the effective settings, secrets masked.

    Text output is one `key = value` line per setting, nested keys dotted.
    """
    data = state.settings().public_dict()
    if as_json:
        emit_json(data)
        return
    for key, value in flatten(data):
        click.echo(f"{key} = {value if isinstance(value, str) else json.dumps(value)}")


def flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            yield from flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


@main.command()
@json_option
@pass_state
def doctor(state: CliState, as_json: bool) -> None:
    """Check the configured adapters, node and ffmpeg.

    Exits 1 when an adapter, or a tool a configured adapter needs, is not usable; a tool no
    configured adapter needs is only a warning.
    """
    checks = state.container().check()
    tools = check_tools(state.settings())
    ok = all(check.ok for check in checks) and all(t.ok for t in tools if t.required)
    if as_json:
        emit_json(
            {"ok": ok, "adapters": [asdict(c) for c in checks], "tools": [asdict(t) for t in tools]}
        )
    else:
        click.echo("adapters")
        echo_table(
            [["OK" if c.ok else "FAIL", c.port, c.adapter, c.detail] for c in checks], indent="  "
        )
        click.echo("tools")
        rows = []
        for tool in tools:
            if tool.ok:
                rows.append(["OK", tool.name, f"{tool.detail} ({tool.path})"])
                continue
            optional = "" if tool.required else "; a warning only: no configured adapter needs it"
            rows.append(["MISSING", tool.name, tool.detail + optional])
            rows.append(["", "", f"fix: {tool.hint}"])
        echo_table(rows, indent="  ")
        click.echo("all configured adapters are usable" if ok else "problems found (see above)")
    if not ok:
        raise click.exceptions.Exit(EXIT_FAILURE)


# -- speech ---------------------------------------------------------------------------------


@main.command()
@json_option
@pass_state
def voices(state: CliState, as_json: bool) -> None:
    """List the voices of the configured speech synthesizer."""
    found = state.container().speech.voices()
    if as_json:
        emit_json({"voices": [asdict(voice) for voice in found]})
        return
    rows = [["VOICE", "NAME", "LANGUAGE", "ENGINE", "RATE", "GENDER"]]
    rows += [
        [v.voice_id, v.name, v.language, v.engine, str(v.sample_rate), v.gender or ""]
        for v in found
    ]
    echo_table(rows)


@main.command()
@click.argument("text")
@voice_option
@click.option(
    "--alphabet", type=click.Choice(["ipa", "arpabet"]), default="ipa", show_default=True,
    help="Phoneme symbols to print.",
)  # fmt: skip
@json_option
@pass_state
def phonemes(state: CliState, text: str, voice: str | None, alphabet: str, as_json: bool) -> None:
    """Print each word of TEXT with its phonemes (no audio is made)."""
    alpha = check_alphabet(alphabet)
    words = state.container().speech.phonemize(text, voice)
    labels = [
        [phoneme_label(p, alpha, stress=split_stress(p)[1]) for p in w.phonemes] for w in words
    ]
    if not as_json:
        echo_table(
            [[word.text, " ".join(symbols)] for word, symbols in zip(words, labels, strict=True)]
        )
        return
    emit_json({
        "text": text,
        "alphabet": alpha,
        "words": [
            {"word": w.text, "char_start": w.char_start, "char_end": w.char_end,
             "phonemes": symbols}
            for w, symbols in zip(words, labels, strict=True)
        ],
    })  # fmt: skip


@main.command()
@click.argument("text")
@voice_option
@click.option(
    "--viseme-set", type=click.Choice(VISEME_SETS), default="oculus", show_default=True,
    help="Viseme set of the cues.",
)  # fmt: skip
@click.option(
    "--alphabet", type=click.Choice(["ipa", "arpabet"]), default="ipa", show_default=True,
    help="Phoneme symbols in the JSON output.",
)  # fmt: skip
@json_option
@pass_state
def lipsync(
    state: CliState, text: str, voice: str | None, viseme_set: str, alphabet: str, as_json: bool
) -> None:  # fmt: skip
    """Synthesise TEXT and print its timings; nothing is stored.

    Text output is a summary; --json gives every phoneme, word and viseme cue.
    """
    visemes, alpha = check_viseme_set(viseme_set), check_alphabet(alphabet)
    request = SpeechRequest(text, voice, viseme_sets=(visemes,))
    timed = state.container().speech.timed_speech(request)
    speech, alignment, cues = timed.speech, timed.alignment, timed.visemes[visemes]
    if not as_json:
        echo_table([
            ["voice", speech.voice_id],
            ["duration", f"{speech.duration:.3f} s ({speech.sample_rate} Hz)"],
            ["words", str(len(alignment.words))],
            ["phonemes", str(len(alignment.phonemes))],
            ["visemes", f"{len(cues)} cues ({visemes})"],
        ])  # fmt: skip
        return
    emit_json({
        "voice_id": speech.voice_id,
        "duration": speech.duration,
        "sample_rate": speech.sample_rate,
        "alphabet": alpha,
        "phonemes": [
            {"phoneme": phoneme_label(p.symbol, alpha, stress=p.stress, arpabet=p.arpabet),
             "start": p.start, "end": p.end}
            for p in alignment.phonemes
        ],
        "words": [{"word": w.text, "start": w.start, "end": w.end} for w in alignment.words],
        "viseme_set": visemes,
        "visemes": [{"viseme": c.viseme, "start": c.start, "end": c.end} for c in cues],
    })  # fmt: skip


@main.command()
@click.argument("text")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="WAV file to write.",
)  # fmt: skip
@voice_option
@click.option(
    "--rate", type=float, default=1.0, show_default=True, help="Speed multiplier, 0.25-4."
)
@click.option(
    "--pitch", type=float, default=1.0, show_default=True, help="Pitch multiplier, 0.25-4."
)
@pass_state
def speak(
    state: CliState, text: str, output: Path, voice: str | None, rate: float, pitch: float
) -> None:
    """Synthesise TEXT to a mono 16-bit PCM WAV file."""
    request = SpeechRequest(text, voice, SynthesisOptions(rate=rate, pitch=pitch))
    speech = state.container().speech.timed_speech(request).speech
    try:
        output.write_bytes(encode_wav(speech.samples, speech.sample_rate))
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror or str(exc)) from exc
    click.echo(
        f"wrote {output} ({speech.duration:.2f} s, {speech.sample_rate} Hz, {speech.voice_id})"
    )


if __name__ == "__main__":
    main()
