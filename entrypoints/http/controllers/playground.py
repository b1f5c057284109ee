"""The playground: ``GET /`` and its static files, plus the renderer's browser-safe modules
(the same ``avatar.js`` the Node renderer draws with), served as they are: no build step."""

from __future__ import annotations

from pathlib import Path

from litestar import Controller, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from avatar_service.adapters.renderer.node_package import code_dir

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
}


def _file(folder: Path, name: str, allowed: frozenset[str] | None = None) -> Response[bytes]:
    """``folder/name`` when it is a listed file of that folder (never a path elsewhere)."""
    media_type = _MEDIA_TYPES.get(Path(name).suffix)
    listed = allowed if allowed is not None else {p.name for p in folder.iterdir() if p.is_file()}
    if media_type is None or name not in listed or not (folder / name).is_file():
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
        return _file(PLAYGROUND_DIR, "index.html")

    @get("/playground/{name:str}", sync_to_thread=False)
    def asset(self, name: FromPath[str]) -> Response[bytes]:
        """The page's scripts and style sheet."""
        return _file(PLAYGROUND_DIR, name)

    @get("/playground/renderer/{name:str}", sync_to_thread=False)
    def renderer_module(self, name: FromPath[str]) -> Response[bytes]:
        """A browser-safe module of the renderer package."""
        return _file(code_dir() / "src", name, RENDERER_MODULES)
