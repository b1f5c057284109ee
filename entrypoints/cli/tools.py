"""External tools ``avatar doctor`` looks for: where each one is, its version, how to fix it."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from avatar_service.entrypoints.adapter_set import adapter_names

if TYPE_CHECKING:
    from avatar_service.entrypoints.settings import Settings

VERSION_TIMEOUT = 10.0
"""Seconds a ``--version`` call may take before the tool counts as broken."""
MIN_NODE_MAJOR = 20
NODE_HINT = f"install Node.js {MIN_NODE_MAJOR}+ or set NODE_PATH to its executable"
FFMPEG_HINT = "install ffmpeg, pip install imageio-ffmpeg, or set FFMPEG_PATH to its executable"

TOOLS_NEEDED_BY: dict[tuple[str, str], tuple[str, ...]] = {("renderer", "node"): ("node", "ffmpeg")}
"""(port, adapter name) -> the tools that adapter runs. Any other tool is optional."""

VersionReader = Callable[[str], tuple[str, str | None]]
"""First line of ``--version`` output -> (version, problem or ``None``)."""


@dataclass(frozen=True, slots=True)
class ToolReport:
    """One tool: ``ok`` when it runs; ``detail`` is its version or what is wrong with it;
    ``required`` when a configured adapter needs it (otherwise a failure is only a warning)."""

    name: str
    ok: bool
    required: bool
    path: str | None
    detail: str
    hint: str


def check_tools(settings: Settings) -> list[ToolReport]:
    """Probe ``node`` and ``ffmpeg`` as the settings locate them."""
    names = adapter_names(settings)
    needed = {
        tool
        for (port, adapter), tools in TOOLS_NEEDED_BY.items()
        if names.get(port) == adapter
        for tool in tools
    }
    tools = (
        ("node", settings.node_path, "--version", _node_version, NODE_HINT),
        ("ffmpeg", ffmpeg_command(settings), "-version", _ffmpeg_version, FFMPEG_HINT),
    )
    reports = []
    for name, command, version_flag, read_version, hint in tools:
        ok, path, detail = _probe(command, version_flag, read_version)
        reports.append(ToolReport(name, ok, name in needed, path, detail, hint))
    return reports


def ffmpeg_command(settings: Settings) -> str:
    """``FFMPEG_PATH``, else the imageio-ffmpeg binary when that package is installed, else
    ``ffmpeg`` from ``PATH``."""
    if settings.ffmpeg_path:
        return settings.ffmpeg_path
    try:
        imageio_ffmpeg = importlib.import_module("imageio_ffmpeg")
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        return "ffmpeg"


def _probe(
    command: str, version_flag: str, read_version: VersionReader
) -> tuple[bool, str | None, str]:
    """(ok, resolved path, version or problem) of running ``command version_flag``."""
    path = shutil.which(command)
    if path is None:
        return False, None, f"{command!r} not found"
    try:
        done = subprocess.run(
            [path, version_flag],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, path, f"{version_flag} took over {VERSION_TIMEOUT:g} s"
    except OSError as exc:
        return False, path, f"cannot run: {exc.strerror or exc}"
    lines = (done.stdout or done.stderr).strip().splitlines()
    if done.returncode != 0 or not lines:
        return False, path, f"{version_flag} exited with code {done.returncode}"
    version, problem = read_version(lines[0])
    return problem is None, path, problem or version


def _node_version(line: str) -> tuple[str, str | None]:
    """(version, problem): Node.js below ``MIN_NODE_MAJOR`` is a problem."""
    match = re.match(r"v?(\d+)\.", line)
    if match and int(match.group(1)) < MIN_NODE_MAJOR:
        return line, f"{line} is too old; Node.js {MIN_NODE_MAJOR}+ is needed"
    return line, None


def _ffmpeg_version(line: str) -> tuple[str, str | None]:
    """``ffmpeg version 6.1.1-3ubuntu5 Copyright ...`` -> ``ffmpeg 6.1.1-3ubuntu5``."""
    match = re.match(r"ffmpeg version (\S+)", line)
    return (f"ffmpeg {match.group(1)}" if match else line), None
