"""Bodies of the preset routes and their mapping from the core's ``Preset``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from avatar_service.core.records import Page, Preset
from avatar_service.entrypoints.http.schemas.bounds import FreeObject
from avatar_service.entrypoints.http.schemas.tenancy import TenantField


def preset_url(preset_id: str) -> str:
    return f"/v1/presets/{preset_id}"


class PresetCreateRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A named partial avatar state (``settings``, e.g. ``{"hair_style": "bob"}``), applied
    over the defaults when an avatar or a render names it. ``preset_id`` omitted: generated."""

    settings: FreeObject
    name: str = ""
    preset_id: str | None = None


class PresetUpdateRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Fields given are replaced (``settings`` as a whole); omitted ones stay."""

    name: str | None = None
    settings: FreeObject | None = None


class PresetResponse(msgspec.Struct, kw_only=True):
    preset_id: str
    name: str
    settings: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    tenant: TenantField


class PresetListResponse(msgspec.Struct, kw_only=True):
    """One page, oldest first; pass ``next_cursor`` as ``cursor`` for the next (null: the end)."""

    presets: list[PresetResponse]
    count: int
    next_cursor: str | None


def to_preset_response(preset: Preset) -> PresetResponse:
    return PresetResponse(
        preset_id=preset.preset_id,
        name=preset.name,
        settings=preset.settings,
        version=preset.version,
        created_at=preset.created_at,
        updated_at=preset.updated_at,
        tenant=preset.tenant,
    )


def to_preset_list(page: Page[Preset]) -> PresetListResponse:
    presets = [to_preset_response(p) for p in page.items]
    return PresetListResponse(presets=presets, count=len(presets), next_cursor=page.next_cursor)
