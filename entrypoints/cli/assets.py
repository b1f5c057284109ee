"""``avatar assets ls|put|get|rm``: the asset store from the command line, on the configured
blob store (the same one the HTTP API serves). Large files stream with a progress bar."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from avatar_service.entrypoints.cli.output import (
    echo_table,
    emit_json,
    json_option,
    writable_output,
)
from avatar_service.entrypoints.cli.state import CliState, pass_state

if TYPE_CHECKING:
    from avatar_service.core.records import BlobInfo

CHUNK = 1024 * 1024
PROGRESS_FROM = 8 * 1024 * 1024
"""Files from this size up show a progress bar (on a terminal, or with ``--progress``)."""


def _info_json(info: BlobInfo) -> dict[str, Any]:
    from avatar_service.core.mediatypes import media_kind

    return {
        "asset_id": info.name,
        "type": media_kind(info.content_type),
        "content_type": info.content_type,
        "size": info.size,
        "path": info.name,
        "checksum": info.checksum,
        "modified": info.modified.isoformat(),
    }


def _want_progress(size: int, progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return size >= PROGRESS_FROM and sys.stderr.isatty()


@contextlib.contextmanager
def _progress(size: int, label: str, show: bool) -> Iterator[Any]:
    """A click progress bar on stderr, or a stand-in whose ``update`` does nothing."""
    if not show:
        yield _NoBar()
        return
    with click.progressbar(length=size, label=label, file=sys.stderr, show_pos=True) as bar:
        yield bar


class _NoBar:
    def update(self, n: int) -> None:
        return None


def _file_chunks(handle: IO[bytes], bar: Any) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        bar.update(len(chunk))
        yield chunk


progress_option = click.option(
    "--progress/--no-progress",
    default=None,
    help=f"Show a progress bar [default: on a terminal, for files of {PROGRESS_FROM >> 20} MiB+].",
)


@click.group()
def assets() -> None:
    """List, upload, download and delete assets (uploaded files)."""


@assets.command("ls")
@click.option("--prefix", default="", help="Only names starting with this.")
@click.option("--limit", type=click.IntRange(1, 500), default=100, show_default=True)
@click.option("--cursor", help="The last name of the previous page.")
@json_option
@pass_state
def ls(state: CliState, prefix: str, limit: int, cursor: str | None, as_json: bool) -> None:
    """List assets in name order with size, type and checksum (recorded at upload)."""
    infos = state.container().assets.list_assets(prefix=prefix, limit=limit, cursor=cursor)
    next_cursor = infos[-1].name if len(infos) >= limit else None
    if as_json:
        emit_json(
            {
                "assets": [_info_json(i) for i in infos],
                "count": len(infos),
                "next_cursor": next_cursor,
            }
        )
        return
    rows = [["NAME", "SIZE", "TYPE", "MODIFIED", "SHA256"]]
    rows += [
        [
            i.name,
            str(i.size),
            i.content_type,
            i.modified.strftime("%Y-%m-%d %H:%M:%S"),
            i.checksum[:12],
        ]
        for i in infos
    ]
    echo_table(rows)
    if next_cursor:
        click.echo(f"more: --cursor {next_cursor!r}", err=True)


@assets.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="Asset name (folders allowed) [default: the sanitised file name].")
@click.option("--overwrite", is_flag=True, help="Replace an asset of the same name.")
@click.option("--content-type", help="Media type [default: from the name, else the content].")
@progress_option
@json_option
@pass_state
def put(
    state: CliState,
    file: Path,
    name: str | None,
    overwrite: bool,
    content_type: str | None,
    progress: bool | None,
    as_json: bool,
) -> None:
    """Upload FILE as an asset (streamed; MAX_FILE_SIZE applies)."""
    from avatar_service.core.blobnames import sanitize_filename

    target = name or sanitize_filename(file.name)
    size = file.stat().st_size
    with (
        file.open("rb") as handle,
        _progress(size, f"put {target}", _want_progress(size, progress)) as bar,
    ):
        info = state.container().assets.upload(
            target, _file_chunks(handle, bar), content_type=content_type, overwrite=overwrite
        )
    if as_json:
        emit_json(_info_json(info))
    else:
        click.echo(f"{info.name}  {info.size} bytes  {info.content_type}  sha256:{info.checksum}")


@assets.command()
@click.argument("name")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=writable_output,
    help="Where to write it ('-' for stdout) [default: the asset's file name, here].",
)
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@progress_option
@pass_state
def get(
    state: CliState, name: str, output: Path | None, force: bool, progress: bool | None
) -> None:
    """Download asset NAME (written to a temporary file, renamed when complete)."""
    from avatar_service.core.blobnames import sanitize_filename
    from avatar_service.core.errors import Conflict
    from avatar_service.core.records import Namespace

    use_cases = state.container().assets
    info = use_cases.stat(Namespace.ASSETS, name)
    if output is not None and str(output) == "-":
        out = sys.stdout.buffer
        for chunk in use_cases.read(Namespace.ASSETS, info.name):
            out.write(chunk)
        out.flush()
        return
    target = output or Path(sanitize_filename(info.name.rsplit("/", 1)[-1]))
    if target.exists() and not force:
        raise Conflict(f"{target} exists (use --force to replace it)", field="output")
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    chunks = use_cases.read(Namespace.ASSETS, info.name)
    try:
        with (
            partial.open("wb") as handle,
            _progress(info.size, f"get {info.name}", _want_progress(info.size, progress)) as bar,
        ):
            for chunk in chunks:
                handle.write(chunk)
                bar.update(len(chunk))
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"{target}  {info.size} bytes  sha256:{info.checksum}", err=True)


@assets.command()
@click.argument("names", nargs=-1, required=True)
@pass_state
def rm(state: CliState, names: tuple[str, ...]) -> None:
    """Delete the assets NAMES (an unknown name is an error)."""
    for name in names:
        state.container().assets.delete(name)
        click.echo(f"deleted {name}")


COMMANDS = (assets,)
