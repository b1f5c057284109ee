"""Options of ``avatar lipsync`` for printing its cues in Rhubarb Lip Sync's file formats."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from avatar_service.entrypoints.cli.output import LazyChoice

if TYPE_CHECKING:
    from avatar_service.core.cue_formats import CueExportOptions, CueFormat
    from avatar_service.core.speech import VisemeCue
    from avatar_service.core.visemesets import VisemeSetRegistry, VisemeSetSpec

F = Callable[..., Any]


def _formats() -> tuple[str, ...]:
    from avatar_service.core.cue_formats import CUE_FORMATS

    return CUE_FORMATS


def cue_format_options(command: F) -> F:
    """``--cues``, ``--extended-shapes``, ``--tweens``, ``--dat-fps``,
    ``--dat-preston-blair`` (their values are checked by ``core.cue_formats``, imported only
    when they are used)."""
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
    ]
    for option in reversed(options):
        command = option(command)
    return command


@dataclass(frozen=True, slots=True)
class CueOutput:
    """What ``--cues`` asked for, checked before any work is done."""

    viseme_set: VisemeSetSpec
    cue_format: CueFormat
    options: CueExportOptions

    def echo(self, cues: Sequence[VisemeCue], duration: float, sound_file: str) -> None:
        from avatar_service.core.cue_formats import export_cues

        text = export_cues(
            cues,
            duration,
            self.viseme_set,
            self.cue_format,
            sound_file=sound_file,
            options=self.options,
        )
        click.echo(text, nl=False)


def cue_output(
    registry: VisemeSetRegistry,
    viseme_set: str,
    cue_format: str,
    extended_shapes: str,
    tweens: bool,
    dat_fps: float,
    preston_blair: bool,
) -> CueOutput:
    """The ``--cues`` output in ``viseme_set`` (its ``--viseme-set``, or ``rhubarb`` when that
    was left at its default); ``Invalid`` for options it cannot take."""
    from avatar_service.core.cue_formats import (
        CueExportOptions,
        check_cue_export,
        check_cue_format,
    )

    context = click.get_current_context()
    given = context.get_parameter_source("viseme_set") is not click.core.ParameterSource.DEFAULT
    spec = registry.get(viseme_set if given else "rhubarb")
    options = CueExportOptions(extended_shapes, dat_fps, preston_blair, tweens)
    output = CueOutput(spec, check_cue_format(cue_format), options)
    check_cue_export(spec, output.cue_format, options)
    return output
