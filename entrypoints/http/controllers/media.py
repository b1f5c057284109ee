"""Media downloads by id: stored audio (WAV) and renders, immutable and cacheable forever.

They share the asset downloads' responder (``downloads.py``): ETag, ``If-None-Match`` -> 304,
``Last-Modified``, single byte ranges -> 206 / 416, and HEAD.
"""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, Response, get, head
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery

from avatar_service.core.records import BlobInfo
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.controllers.speech import converted_audio_response
from avatar_service.entrypoints.http.downloads import CACHE_FOREVER, download_response
from avatar_service.entrypoints.http.problems import problem_specs

DOWNLOAD_RESPONSES: dict[int, ResponseSpec] = {
    206: ResponseSpec(None, description="The single byte range the Range header asked for"),
    304: ResponseSpec(None, description="If-None-Match names this content"),
    **problem_specs(400, 404, 416),
}
"""OpenAPI entries of every download route."""


def download_responses(media_type: str, *statuses: int) -> dict[int, ResponseSpec]:
    """A download route's entries: 200 as ``media_type`` (a range such as ``audio/*`` when
    the stored object's own type is served), the download errors, and ``statuses``."""
    ok = ResponseSpec(None, description="The object", media_type=media_type)
    return {200: ok, **DOWNLOAD_RESPONSES, **problem_specs(400, 404, 416, *statuses)}


def media_response(
    container: Container, info: BlobInfo, request: Request[Any, Any, Any], *, head: bool = False
) -> Response[Any]:
    """Stream ``info`` (an audio or render blob), cacheable forever."""

    def read(start: int, end: int | None) -> Any:
        return container.assets.read(info.namespace, info.name, start, end)

    return download_response(info, read, request.headers, cache_control=CACHE_FOREVER, head=head)


class MediaController(Controller):
    path = "/v1"
    tags = ("media",)

    @get(
        "/audios/{audio_id:str}",
        operation_id="downloadAudio",
        sync_to_thread=True,
        media_type="audio/wav",
        responses=download_responses("audio/*", 422),
    )
    def audio(
        self,
        audio_id: FromPath[str],
        container: NamedDependency[Container],
        request: Request[Any, Any, Any],
        format: FromQuery[Literal["wav", "mp3", "ogg"]] = "wav",
    ) -> Response[bytes]:
        """The WAV of a stored audio (from lipsync's audio_url). ETag is its sha256; Range,
        If-Range, If-None-Match and If-Modified-Since are honoured. ``?format=mp3`` or
        ``?format=ogg`` (Opus) converts it with ffmpeg (whole file, no ranges)."""
        info = container.assets.audio_blob(audio_id)
        if format != "wav":
            return converted_audio_response(container, info, format, request)
        return media_response(container, info, request)

    @head(
        "/audios/{audio_id:str}",
        operation_id="headAudio",
        sync_to_thread=True,
        responses=download_responses("audio/wav"),
    )
    def audio_head(
        self,
        audio_id: FromPath[str],
        container: NamedDependency[Container],
        request: Request[Any, Any, Any],
    ) -> Response[None]:
        """The headers of ``GET /v1/audios/{audio_id}`` without the body."""
        info = container.assets.audio_blob(audio_id)
        return media_response(container, info, request, head=True)

    @get(
        "/renders/{render_id:str}",
        operation_id="downloadRender",
        sync_to_thread=True,
        media_type="application/octet-stream",
        responses=download_responses("*/*"),
    )
    def render(
        self,
        render_id: FromPath[str],
        container: NamedDependency[Container],
        request: Request[Any, Any, Any],
    ) -> Response[bytes]:
        """A stored render (image or video; Content-Type says which). ETag is its sha256;
        Range, If-Range, If-None-Match and If-Modified-Since are honoured."""
        return media_response(container, container.assets.render_blob(render_id), request)

    @head(
        "/renders/{render_id:str}",
        operation_id="headRender",
        sync_to_thread=True,
        responses=download_responses("*/*"),
    )
    def render_head(
        self,
        render_id: FromPath[str],
        container: NamedDependency[Container],
        request: Request[Any, Any, Any],
    ) -> Response[None]:
        """The headers of ``GET /v1/renders/{render_id}`` without the body."""
        info = container.assets.render_blob(render_id)
        return media_response(container, info, request, head=True)
