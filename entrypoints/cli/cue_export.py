"""Options of ``avatar lipsync`` for printing its cues in Rhubarb Lip Sync's file formats."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from avatar_service.entrypoints.cli.output import LazyChoice, writable_output, write_failed

if TYPE_CHECKING:
    from avatar_service.core.cue_formats import CueFile
    from avatar_service.core.speech import VisemeCue
    from avatar_service.core.visemesets import VisemeSetRegistry

F = Callable[..., Any]


def _formats() -> tuple[str, ...]:
    from avatar_service.core.cue_formats import CUE_FORMATS

    return CUE_FORMATS


def cue_format_options(command: F) -> F:
    """``--cues``, ``--extended-shapes``, ``--tweens``, ``--dat-fps``, ``--dat-preston-blair``,
    ``--output`` (their values are checked by ``core.cue_formats``, imported only when they
    are used)."""
    options = [
        click.option(
            "--cues",
            "cue_format",
            type=LazyChoice(_formats),
            help="Print only the viseme cues, as Rhubarb Lip Sync writes them: tsv, json, xml, "
            "or dat (Moho switch data). The viseme set is then rhubarb unless --viseme-set "
            "names another.",
        ),
        click.option(
            "--extended-shapes",
            default="GHX",
            show_default=True,
            help="With --cues and the rhubarb set: which optional shapes to use (left out: G "
            "shows as A, H as C, X as A).",
        ),
        click.option(
            "--tweens",
            is_flag=True,
            help="With --cues and the rhubarb set: insert Rhubarb's in-between shapes (D to B "
            "through C, ...) for rigs that swap drawings.",
        ),
        click.option(
            "--dat-fps",
            type=float,
            default=24.0,
            show_default=True,
            help="With --cues dat: the frame rate the frames are numbered at, 24-100.",
        ),
        click.option(
            "--dat-preston-blair",
            is_flag=True,
            help="With --cues dat and the rhubarb set: name the shapes as Preston Blair's "
            "chart does (MBP, etc, E, AI, O, U, FV, L, rest).",
        ),
        click.option(
            "-o",
            "--output",
            "cues_path",
            type=click.Path(dir_okay=False, path_type=Path),
            callback=writable_output,
            help="With --cues: write the file to FILE instead of printing it.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@dataclass(frozen=True, slots=True)
class CueOutput:
    """What ``--cues`` asked for, checked before any work is done."""

    file: CueFile
    path: Path | None = None
    """Where to write the file (``None`` or ``-``: printed)."""

    def write(self, cues: Sequence[VisemeCue], duration: float, sound_file: str) -> None:
        text = self.file.write(cues, duration, sound_file)
        if self.path is None or str(self.path) == "-":
            click.echo(text, nl=False)
            return
        try:
            self.path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise write_failed(self.path, exc) from exc


def cue_output(
    registry: VisemeSetRegistry,
    viseme_set: str,
    cue_format: str,
    extended_shapes: str,
    tweens: bool,
    dat_fps: float,
    preston_blair: bool,
    path: Path | None,
) -> CueOutput:
    """The ``--cues`` output in ``viseme_set`` (its ``--viseme-set``, or ``rhubarb`` when that
    was left at its default); ``Invalid`` for options it cannot take."""
    from avatar_service.core.cue_formats import CUE_SET, CueExportOptions, cue_file

    context = click.get_current_context()
    given = context.get_parameter_source("viseme_set") is not click.core.ParameterSource.DEFAULT
    spec = registry.get(viseme_set if given else CUE_SET)
    options = CueExportOptions(extended_shapes, dat_fps, preston_blair, tweens)
    return CueOutput(cue_file(spec, cue_format, options), path)
