"""Bodies of the asset routes (the seed's field names) and their mapping from ``BlobInfo``."""

from __future__ import annotations

from datetime import datetime

import msgspec

from avatar_service.core.mediatypes import media_kind
from avatar_service.core.records import BlobInfo


class AssetResponse(msgspec.Struct, kw_only=True):
    """One stored asset. ``asset_id`` and ``path`` are its name (pass it as ``?name=``);
    ``type`` is the broad kind (image, audio, video, model, text, other)."""

    asset_id: str
    type: str
    content_type: str
    size: int
    path: str
    checksum: str
    modified: datetime


class AssetListResponse(msgspec.Struct, kw_only=True):
    """One page of assets by name; pass ``next_cursor`` back as ``cursor`` (``null``: the end)."""

    assets: list[AssetResponse]
    count: int
    next_cursor: str | None


class AssetUploadedResponse(msgspec.Struct, kw_only=True):
    asset_id: str
    size: int
    checksum: str
    content_type: str


def to_asset_response(info: BlobInfo) -> AssetResponse:
    return AssetResponse(
        asset_id=info.name,
        type=media_kind(info.content_type),
        content_type=info.content_type,
        size=info.size,
        path=info.name,
        checksum=info.checksum,
        modified=info.modified,
    )


def to_asset_list(infos: list[BlobInfo], limit: int) -> AssetListResponse:
    """A full page may be followed by more: its last name is the cursor."""
    assets = [to_asset_response(info) for info in infos]
    cursor = infos[-1].name if infos and len(infos) >= limit else None
    return AssetListResponse(assets=assets, count=len(assets), next_cursor=cursor)


def to_uploaded(info: BlobInfo) -> AssetUploadedResponse:
    return AssetUploadedResponse(
        asset_id=info.name, size=info.size, checksum=info.checksum, content_type=info.content_type
    )
