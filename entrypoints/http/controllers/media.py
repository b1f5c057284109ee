"""Media downloads by id: stored audio (WAV) and renders, immutable and cacheable forever."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, HeaderParameter
from litestar.response import Stream

from avatar_service.core.records import BlobInfo
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.conditional import checksum_etag, none_match
from avatar_service.entrypoints.http.problems import problem_specs

CACHE_FOREVER = "public, max-age=31536000, immutable"

IfNoneMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-None-Match", required=False, description="An ETag you hold: 304 if it is current."
    ),
]
_NOT_MODIFIED = {304: ResponseSpec(None, description="If-None-Match names this content")}


def _blob_response(
    container: Container, info: BlobInfo, if_none_match: str | None
) -> Response[Any]:
    """Stream ``info``'s bytes with validators, or 304 when the client's copy is current."""
    etag = checksum_etag(info.checksum)
    headers = {"ETag": etag, "Cache-Control": CACHE_FOREVER}
    if none_match(if_none_match, etag):
        return Response(b"", status_code=304, headers=headers)
    chunks = container.assets.read(info.namespace, info.name)
    headers["Content-Length"] = str(info.size)
    return Stream(chunks, media_type=info.content_type, headers=headers)


class MediaController(Controller):
    path = "/v1"
    tags = ("media",)

    @get(
        "/audios/{audio_id:str}",
        operation_id="downloadAudio",
        sync_to_thread=True,
        media_type="audio/wav",
        responses={**_NOT_MODIFIED, **problem_specs(400, 404)},
    )
    def audio(
        self,
        audio_id: FromPath[str],
        container: NamedDependency[Container],
        if_none_match: IfNoneMatch = None,
    ) -> Response[bytes]:
        """The WAV of a stored audio (from lipsync's audio_url). ETag is its sha256."""
        return _blob_response(container, container.assets.audio_blob(audio_id), if_none_match)

    @get(
        "/renders/{render_id:str}",
        operation_id="downloadRender",
        sync_to_thread=True,
        media_type="application/octet-stream",
        responses={**_NOT_MODIFIED, **problem_specs(400, 404)},
    )
    def render(
        self,
        render_id: FromPath[str],
        container: NamedDependency[Container],
        if_none_match: IfNoneMatch = None,
    ) -> Response[bytes]:
        """A stored render (image or video; Content-Type says which). ETag is its sha256."""
        return _blob_response(container, container.assets.render_blob(render_id), if_none_match)
