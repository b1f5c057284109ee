"""The interactive API docs (Swagger UI) at ``/schema``, with its files served by the service
itself from the pinned ``swagger-ui-bundle`` package: no CDN, no web fonts, works offline."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from litestar import Controller, Response, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.params import FromPath

from avatar_service.entrypoints.http.openapi_docs import (
    DocumentedJson,
    DocumentedSwagger,
    DocumentedYaml,
)

ASSETS_PATH = "/schema/assets"
SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)
SWAGGER_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
"""The files the page loads; any other name is a 404."""


def docs_render_plugins() -> list[OpenAPIRenderPlugin]:
    """Swagger UI ("try it out") at ``/schema`` and ``/schema/swagger``; the documents at
    ``/schema/openapi.json`` and ``/schema/openapi.yaml``."""
    return [
        DocumentedJson(),
        DocumentedYaml(),
        DocumentedSwagger(
            path=["/", "/swagger"],
            js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            css_url=f"{ASSETS_PATH}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
        ),
    ]


class ApiDocsAssetsController(Controller):
    path = ASSETS_PATH
    include_in_schema = False

    @get("/{name:str}", sync_to_thread=False)
    def asset(self, name: FromPath[str]) -> Response[bytes]:
        """One of Swagger UI's files (immutable for a given package version)."""
        media_type = SWAGGER_FILES.get(name)
        if media_type is None:
            raise NotFoundException(f"no API docs file {name!r}")
        return Response(
            (SWAGGER_DIR / name).read_bytes(),
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=86400"},
        )
