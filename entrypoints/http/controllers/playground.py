"""The playground: ``GET /`` and its static files, plus the renderer's browser-safe modules
(the same ``avatar.js`` the Node renderer draws with), served as they are: no build step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Controller, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from avatar_service.entrypoints.characters import load_characters
from avatar_service.entrypoints.renderer_files import renderer_dir

PLAYGROUND_DIR = Path(__file__).resolve().parents[1] / "playground"
RENDERER_MODULES = frozenset(
    {"avatar.js", "color.js", "face.js", "hair.js", "schema.js", "validate.js", "wardrobe.js"}
)
"""The renderer's modules that run in a browser (no Node API), i.e. ``avatar.js`` and what it
imports."""
_MEDIA_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
}


PLAYGROUND_FILES = frozenset(p.name for p in PLAYGROUND_DIR.iterdir() if p.is_file())
"""The page's own files, listed once: a request names one of them or gets a 404."""


def _file(folder: Path, name: str, allowed: frozenset[str]) -> Response[bytes]:
    """``folder/name`` when ``name`` is one of ``allowed`` (never a path elsewhere); read
    afresh each time (served with ``no-cache``)."""
    media_type = _MEDIA_TYPES.get(Path(name).suffix)
    if media_type is None or name not in allowed or not (folder / name).is_file():
        raise NotFoundException(f"no playground file {name!r}")
    return Response(
        (folder / name).read_bytes(), media_type=media_type, headers={"Cache-Control": "no-cache"}
    )


class PlaygroundController(Controller):
    path = "/"
    include_in_schema = False

    @get("/", sync_to_thread=False)
    def index(self) -> Response[bytes]:
        """The playground page."""
        return _file(PLAYGROUND_DIR, "index.html", PLAYGROUND_FILES)

    @get("/favicon.ico", sync_to_thread=False)
    def favicon(self) -> Response[bytes]:
        """The icon (an SVG, which browsers take whatever the name)."""
        return _file(PLAYGROUND_DIR, "favicon.svg", PLAYGROUND_FILES)

    @get("/playground/characters.json", sync_to_thread=False)
    def characters(self) -> dict[str, dict[str, Any]]:
        """The built-in characters (id -> name, description, state), listed in the avatar
        picker before any of them is stored."""
        return load_characters()

    @get("/playground/{name:str}", sync_to_thread=False)
    def asset(self, name: FromPath[str]) -> Response[bytes]:
        """The page's scripts and style sheet."""
        return _file(PLAYGROUND_DIR, name, PLAYGROUND_FILES)

    @get("/playground/renderer/{name:str}", sync_to_thread=False)
    def renderer_module(self, name: FromPath[str]) -> Response[bytes]:
        """A browser-safe module of the renderer package."""
        return _file(renderer_dir() / "src", name, RENDERER_MODULES)
