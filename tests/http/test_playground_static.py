"""The playground is served by the service itself: the page, its modules, and the renderer's
browser-safe modules (the very files the Node renderer runs), nothing else."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from avatar_service.adapters.renderer.node_package import code_dir
from avatar_service.entrypoints.http.controllers.playground import PLAYGROUND_DIR, RENDERER_MODULES


def test_the_page_is_served_at_the_root(client: TestClient[Litestar]) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script type="module" src="/playground/app.js">' in response.text


@pytest.mark.parametrize("name", ["app.js", "api.js", "speaker.js", "style.css"])
def test_page_assets_are_served_with_their_types(client: TestClient[Litestar], name: str) -> None:
    response = client.get(f"/playground/{name}")
    assert response.status_code == 200
    kind = "text/css" if name.endswith(".css") else "text/javascript"
    assert response.headers["content-type"] == f"{kind}; charset=utf-8"  # one charset
    assert response.content == (PLAYGROUND_DIR / name).read_bytes()


def test_the_renderer_modules_are_the_renderers_own_files(client: TestClient[Litestar]) -> None:
    for name in RENDERER_MODULES:
        response = client.get(f"/playground/renderer/{name}")
        assert response.status_code == 200
        assert response.content == (code_dir() / "src" / name).read_bytes()


def test_every_module_avatar_js_imports_is_served_and_none_needs_node() -> None:
    for name in RENDERER_MODULES:
        source = (code_dir() / "src" / name).read_text()
        assert "node:" not in source and "require(" not in source, name
        for imported in re.findall(r"from '\./([\w.]+)'", source):
            assert imported in RENDERER_MODULES, f"{name} imports {imported}, which is not served"


def test_page_imports_resolve_to_served_files() -> None:
    for page_module in ("app.js", "api.js", "speaker.js"):
        source = (PLAYGROUND_DIR / page_module).read_text()
        for path in re.findall(r"from '(/playground/[\w./]+)'", source):
            name = path.rsplit("/", 1)[1]
            folder = (
                RENDERER_MODULES
                if "/renderer/" in path
                else {p.name for p in PLAYGROUND_DIR.iterdir()}
            )
            assert name in folder, f"{page_module} imports {path}, which is not served"


@pytest.mark.parametrize(
    "path",
    [
        "/playground/renderer/raster.js",  # Node-only: not served
        "/playground/renderer/worker.js",
        "/playground/missing.js",
        "/playground/..%2Fcontrollers%2Fplayground.py",
        "/playground/renderer/..%2F..%2Frender.js",
        "/playground/index.py",
    ],
)
def test_anything_else_is_a_404(client: TestClient[Litestar], path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_favicon_is_served(client: TestClient[Litestar]) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in icon.content
    assert 'rel="icon"' in client.get("/").text


def test_the_built_in_characters_are_listed_for_the_picker(client: TestClient[Litestar]) -> None:
    listed = client.get("/playground/characters.json")
    assert listed.status_code == 200
    characters = listed.json()
    assert {"ava", "leo", "mia", "sam", "noah"} <= set(characters)
    assert all(c["name"] and c["state"] for c in characters.values())
    assert client.get("/v1/avatars").json()["count"] == 0  # listed, not stored
