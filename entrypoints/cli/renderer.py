"""``avatar renderer install``: the Node renderer's dependencies."""

from __future__ import annotations

import click

from avatar_service.core.errors import Unavailable


@click.group()
def renderer() -> None:
    """The Node renderer's set-up."""


@renderer.command()
@click.option("--npm", default="npm", show_default=True, help="The npm executable.")
def install(npm: str) -> None:
    """Install the renderer's node_modules beside its installed code (npm ci --omit=dev: what
    it runs on, without its development tools)."""
    import shutil
    import subprocess

    from avatar_service.entrypoints.renderer_files import renderer_dir

    folder = renderer_dir()
    executable = shutil.which(npm)
    if executable is None:
        raise Unavailable(f"npm not found ({npm!r}): install Node.js 20+ (it ships npm)")
    click.echo(f"npm ci --omit=dev --prefix {folder}")
    done = subprocess.run(
        [executable, "ci", "--omit=dev", "--no-audit", "--no-fund", "--prefix", str(folder)],
        check=False,
    )
    if done.returncode != 0:
        raise Unavailable(f"npm ci failed with exit code {done.returncode}")


COMMANDS = (renderer,)
