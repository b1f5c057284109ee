"""Options of ``avatar lipsync`` for weight curves, and writing them to a file."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from avatar_service.core.errors import Invalid

if TYPE_CHECKING:
    from avatar_service.core.curves import Curves

F = Callable[..., Any]


def curve_options(command: F) -> F:
    """``--curves``, ``--fps``, ``--intensity``, ``--export``, ``--morph-targets``."""
    options = [
        click.option(
            "--curves",
            multiple=True,
            metavar="SET[,SET]",
            help="Sets whose weight curves to compute: vrm, arkit, oculus (repeatable).",
        ),
        click.option("--fps", type=int, default=60, show_default=True, help="Curve frame rate."),
        click.option(
            "--intensity",
            type=float,
            default=1.0,
            show_default=True,
            help="Curve intensity, 0-2 (1: as declared).",
        ),
        click.option(
            "--export",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write the curves to FILE: .json, .csv, or .gltf (morph-target animation).",
        ),
        click.option(
            "--morph-targets",
            metavar="NAME[=CHANNEL],...",
            help="For .gltf: the model's morph targets in order (NAME drives the channel "
            "NAME, NAME=CHANNEL another).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def export_curves(path: Path, tracks: Sequence[Curves], morph_targets: str | None) -> None:
    """Write ``tracks`` to ``path`` in the format its suffix names; ``Invalid`` otherwise."""
    from avatar_service.core.curve_export import curves_csv, curves_gltf, curves_json

    if not tracks:
        raise Invalid("--export needs --curves", field="curves")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = curves_csv(tracks)
    elif suffix == ".gltf":
        targets = [t for t in (morph_targets or "").split(",") if t.strip()]
        text = json.dumps(curves_gltf(tracks[0], targets))
    elif suffix == ".json":
        text = json.dumps({"curves": {t.viseme_set: curves_json(t) for t in tracks}})
    else:
        raise Invalid("--export writes .json, .csv or .gltf", field="export")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.FileError(str(path), hint=exc.strerror or str(exc)) from exc
