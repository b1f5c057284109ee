"""Where the renderer package's files are (``renderer/``, shipped as the package data
``avatar_service.renderer_js``): the service serves its browser-safe modules and its built-in
characters, and ``avatar renderer install`` installs its dependencies there."""

from __future__ import annotations

import importlib.util
from pathlib import Path

PACKAGE = "avatar_service.renderer_js"


def renderer_dir() -> Path:
    """The folder holding ``render.js``: the installed package data, else the source
    checkout's ``renderer/``."""
    spec = importlib.util.find_spec(PACKAGE)
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "render.js").is_file():
            return Path(location)
    return Path(__file__).resolve().parents[1] / "renderer"
