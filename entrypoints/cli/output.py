"""Options and output helpers shared by the commands: ``--json``, ``--voice``, ``--alphabet``,
paging, output files that must be writable, JSON and table printing, and choices read on first
use."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


def voice_option(f: F) -> F:
    return click.option("--voice", help="Voice id (see `avatar voices`); default: the engine's.")(f)


def alphabet_option(help: str) -> Callable[[F], F]:
    """``--alphabet ipa|arpabet`` (default ipa), with the command's own ``help``."""
    return click.option(
        "--alphabet",
        type=click.Choice(["ipa", "arpabet"]),
        default="ipa",
        show_default=True,
        help=help,
    )


def page_options(f: F) -> F:
    f = click.option("--cursor", help="next_cursor of the previous page.")(f)
    return click.option(
        "--limit", type=click.IntRange(1, 500), default=50, show_default=True, help="Page size."
    )(f)


class LazyChoice(click.Choice[str]):
    """A ``click.Choice`` whose values come from ``load`` when first needed (parsing or help),
    so that listing the commands does not import the domain modules that define them."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load
        self._loaded: tuple[str, ...] | None = None
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:
        if self._loaded is None:
            self._loaded = tuple(self._load())
        return self._loaded

    @choices.setter
    def choices(self, values: Sequence[str]) -> None:
        self._loaded = tuple(values)


def writable_output(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Option callback: an output file must be creatable (its folder exists and is writable),
    checked before any work is done; ``-`` (stdout) passes."""
    if value is None or str(value) == "-":
        return value
    folder = value.parent
    if value.is_dir():
        raise click.BadParameter(f"{value} is a folder: give a file name", ctx, param)
    if not folder.is_dir():
        raise click.BadParameter(
            f"folder {folder} does not exist: create it or write elsewhere", ctx, param
        )
    if not os.access(folder, os.W_OK) or (value.exists() and not os.access(value, os.W_OK)):
        raise click.BadParameter(f"{value} is not writable: write elsewhere", ctx, param)
    return value


def write_failed(path: Path, exc: OSError) -> click.ClickException:
    """A write that failed at run time (disk full, ...): one line, exit 1."""
    return click.ClickException(f"cannot write {path}: {exc.strerror or exc}")


def emit_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def echo_table(rows: Sequence[Sequence[str]], indent: str = "") -> None:
    """Rows as left-aligned columns."""
    if not rows:
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo(indent + line.rstrip())
