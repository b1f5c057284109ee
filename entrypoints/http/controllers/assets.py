"""Assets: list, download (the shared download responder), streamed upload (a multipart form,
or the raw body of ``PUT /v1/assets/{name}``), delete.

Names are blob names (``folder/file.png``); every one goes through the core's safe-name rule,
so a traversal attempt is a 422 before anything is read or written.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any
from urllib.parse import unquote

from litestar import Controller, Request, Response, delete, get, head, post, put
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery

from avatar_service.core.blobnames import safe_blob_name, sanitize_filename
from avatar_service.core.records import Namespace
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.controllers.media import download_responses
from avatar_service.entrypoints.http.crosssite import UNSUPPORTED
from avatar_service.entrypoints.http.downloads import download_response
from avatar_service.entrypoints.http.problems import problem_specs
from avatar_service.entrypoints.http.rawbody import RawBody
from avatar_service.entrypoints.http.schemas.assets import (
    AssetListResponse,
    AssetUploadedResponse,
    to_asset_list,
    to_uploaded,
)
from avatar_service.entrypoints.http.upload import FORM_OVERHEAD, StreamedUpload, too_large

_TRUE = frozenset({"1", "true", "yes", "on"})


def _asset_download(
    container: Container, name: str, request: Request[Any, Any, Any], *, head: bool
) -> Response[Any]:
    info = container.assets.stat(Namespace.ASSETS, name)

    def read(start: int, end: int | None) -> Iterator[bytes]:
        return container.assets.read(Namespace.ASSETS, info.name, start, end)

    return download_response(
        info,
        read,
        request.headers,
        cache_control=container.settings.storage.assets_cache_control,
        disposition="attachment",
        head=head,
    )


def _name_as_sent(request: Request[Any, Any, Any]) -> str:
    """The rest of the request target's path after ``/v1/assets/``, percent-decoded once: the
    name as the client wrote it, which must meet the safe-name rule as it is (the router's
    path parameter has empty segments and a trailing slash dropped, ``a//b`` being ``a/b``,
    and is decoded twice)."""
    raw = request.scope.get("raw_path")
    # Some servers and test clients leave the query string on it: the name ends before.
    path = unquote(raw.decode("latin-1").partition("?")[0]) if raw else request.scope["path"]
    return path.partition(f"{AssetController.path}/")[2]


class AssetController(Controller):
    path = "/v1/assets"
    tags = ("assets",)

    @get("/", operation_id="listAssets", sync_to_thread=True, responses=problem_specs(400, 422))
    def list_assets(
        self,
        container: NamedDependency[Container],
        prefix: FromQuery[str] = "",
        limit: FromQuery[int] = 100,
        cursor: FromQuery[str | None] = None,
    ) -> AssetListResponse:
        """One page of assets in name order, those starting with ``prefix`` (limit 1..500).
        Sizes, types and checksums were recorded at upload: nothing is re-read."""
        infos = container.assets.list_assets(prefix=prefix, limit=limit, cursor=cursor)
        return to_asset_list(infos, limit)

    @get(
        "/download",
        operation_id="downloadAsset",
        sync_to_thread=True,
        media_type="application/octet-stream",
        responses=download_responses("*/*", 422),
    )
    def download(
        self,
        name: FromQuery[str],
        container: NamedDependency[Container],
        request: Request[Any, Any, Any],
    ) -> Response[bytes]:
        """Stream an asset as an attachment. ETag is its sha256; Range, If-Range,
        If-None-Match and If-Modified-Since are honoured; Cache-Control is configurable."""
        return _asset_download(container, name, request, head=False)

    @head(
        "/download",
        operation_id="headAsset",
        sync_to_thread=True,
        responses=download_responses("*/*", 422),
    )
    def download_head(
        self,
        name: FromQuery[str],
        container: NamedDependency[Container],
        request: Request[Any, Any, Any],
    ) -> Response[None]:
        """The headers of ``GET /v1/assets/download`` without the body."""
        return _asset_download(container, name, request, head=True)

    @post(
        "/upload",
        operation_id="uploadAsset",
        status_code=201,
        request_max_body_size=None,  # limited while streaming: MAX_FILE_SIZE plus the form
        responses=problem_specs(400, 409, 413, 422, 507),
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        container: NamedDependency[Container],
        name: FromQuery[str | None] = None,
        overwrite: FromQuery[bool] = False,
    ) -> AssetUploadedResponse:
        """Upload one file (``multipart/form-data``, the first part with a file name), streamed
        to storage as it arrives. The asset is named ``name`` (a form field before the file
        works too), else the sanitised file name. Over MAX_FILE_SIZE: 413 and nothing is
        kept; an existing name: 409 unless ``overwrite=true``."""
        if name is not None:
            safe_blob_name(name)  # refuse before reading a byte
        max_file = container.settings.max_file_size
        if (request.content_length or 0) > max_file + FORM_OVERHEAD:
            raise too_large(max_file)
        form = StreamedUpload(
            request.stream(), request.headers.get("content-type"), max_file=max_file
        )
        part = await form.next_file()
        target = name or form.fields.get("name") or sanitize_filename(part.filename)
        replace = overwrite or form.fields.get("overwrite", "").strip().lower() in _TRUE

        upload = partial(
            container.assets.upload, target, content_type=part.content_type, overwrite=replace
        )
        return to_uploaded(await form.into_thread(upload))

    @put(
        "/{name:path}",
        operation_id="putAsset",
        status_code=201,
        request_max_body_size=None,  # limited while streaming: MAX_FILE_SIZE
        responses=problem_specs(400, 409, 413, UNSUPPORTED, 422, 507),
    )
    async def put_asset(
        self,
        request: Request[Any, Any, Any],
        container: NamedDependency[Container],
        name: FromPath[str],
        overwrite: FromQuery[bool] = False,
    ) -> AssetUploadedResponse:
        """Upload one file as the raw request body (the S3 convention; no form), streamed to
        storage as it arrives. ``name`` is the rest of the path (``folder/file.png``); the
        Content-Type header is the file's type, as a form part's is for uploadAsset (a
        multipart/form-data body is 415: send it to uploadAsset). Over MAX_FILE_SIZE: 413 as
        soon as it is crossed, and nothing is kept; an existing name: 409 unless
        ``overwrite=true``. The names ``upload`` and ``download`` are uploadAsset's and
        downloadAsset's paths: upload those with uploadAsset and ``name``."""
        del name  # documents the path; the router has dropped empty segments from it
        target = safe_blob_name(_name_as_sent(request))  # refuse before reading a byte
        content_type = request.headers.get("content-type")
        if content_type and content_type.partition(";")[0].strip().lower().startswith("multipart/"):
            raise HTTPException(
                status_code=UNSUPPORTED,
                detail="this route takes the file itself as the body; send a multipart form "
                "to POST /v1/assets/upload",
            )
        max_file = container.settings.max_file_size
        if (request.content_length or 0) > max_file:
            raise too_large(max_file)
        body = RawBody(request.stream(), max_file=max_file)
        upload = partial(
            container.assets.upload, target, content_type=content_type, overwrite=overwrite
        )
        return to_uploaded(await body.into_thread(upload))

    @delete(
        "/", operation_id="deleteAsset", sync_to_thread=True, responses=problem_specs(400, 404, 422)
    )
    def delete_asset(self, name: FromQuery[str], container: NamedDependency[Container]) -> None:
        """Delete an asset; 404 if there is none by that name."""
        container.assets.delete(name)
