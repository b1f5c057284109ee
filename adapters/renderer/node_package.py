"""Where the Node renderer package is, and whether it can run: the code (``render.js``, shipped
as package data ``avatar_service.renderer_js`` or found in the source checkout), its
``node_modules`` (from ``npm ci``), the ``node`` executable and ffmpeg."""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path

from avatar_service.adapters.renderer.ffmpeg import FFMPEG_HINT, locate_ffmpeg
from avatar_service.core.errors import Unavailable

PACKAGE = "avatar_service.renderer_js"
MARKER = Path("@resvg") / "resvg-js" / "package.json"
NODE_HINT = "install Node.js 20+ or set NODE_PATH to its executable"


def code_dir() -> Path:
    """The directory holding ``render.js``: the installed package data, else the checkout."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "render.js").is_file():
                return Path(location)
    return Path(__file__).resolve().parents[2] / "renderer"


def modules_dirs(explicit: Path | None = None) -> list[Path]:
    """Where ``node_modules`` may be, in the order tried: ``<explicit>/node_modules``, beside
    the code, ``./renderer/node_modules`` (a checkout the service runs from)."""
    candidates = [] if explicit is None else [explicit / "node_modules"]
    candidates += [code_dir() / "node_modules", Path.cwd() / "renderer" / "node_modules"]
    return list(dict.fromkeys(p.resolve() for p in candidates))


def install_command(explicit: Path | None = None) -> str:
    """The command that installs the renderer's dependencies."""
    target = explicit or code_dir()
    return f"npm ci --omit=dev --prefix {target}"


@dataclass(frozen=True, slots=True)
class NodeSetup:
    """Everything needed to start a worker."""

    node: str
    script: Path
    node_modules: Path
    ffmpeg: str


def resolve(node_path: str, ffmpeg_path: str | None, explicit_dir: Path | None) -> NodeSetup:
    """The set-up to run, or ``Unavailable`` naming the first missing piece and its fix."""
    node = shutil.which(node_path)
    if node is None:
        raise Unavailable(f"node not found ({node_path!r}): {NODE_HINT}")
    script = code_dir() / "render.js"
    if not script.is_file():
        raise Unavailable(f"the renderer package is missing ({script}): reinstall avatar-service")
    modules = next((d for d in modules_dirs(explicit_dir) if (d / MARKER).is_file()), None)
    if modules is None:
        raise Unavailable(
            "the renderer's node_modules are not installed: run "
            f"`{install_command(explicit_dir)}` (or `avatar renderer install`)"
        )
    ffmpeg = locate_ffmpeg(ffmpeg_path)
    if ffmpeg is None:
        where = f" at {ffmpeg_path!r}" if ffmpeg_path else ""
        raise Unavailable(f"ffmpeg not found{where}: {FFMPEG_HINT}")
    return NodeSetup(node, script, modules, ffmpeg)
