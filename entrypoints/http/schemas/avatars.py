"""Bodies of the avatar routes and their mappings from the core's ``Avatar``/``AvatarState``.

State in requests stays a plain JSON object: the core validates it and names the field at
fault (``state.hair_color``), so the edge adds no second set of rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from avatar_service.core.avatar import (
    Accessory,
    AvatarState,
    BrowStyle,
    ClothingStyle,
    Expression,
    HairStyle,
)
from avatar_service.core.records import Avatar, Page
from avatar_service.entrypoints.http.schemas.bounds import FreeObject
from avatar_service.entrypoints.http.schemas.tenancy import TenantField


def avatar_url(avatar_id: str) -> str:
    return f"/v1/avatars/{avatar_id}"


class AvatarCreateRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A new avatar: defaults, then the preset's settings, then ``state`` (a partial state).
    ``avatar_id`` omitted: one is generated."""

    avatar_id: str | None = None
    name: str = ""
    state: FreeObject | None = None
    preset_id: str | None = None


class AvatarRenameRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str


class AvatarStateBody(msgspec.Struct, kw_only=True):
    """How an avatar looks. Colours are ``#rrggbb``; ``background`` may be ``transparent``."""

    skin_tone: str
    hair_style: HairStyle
    hair_color: str
    eye_color: str
    brow_style: BrowStyle
    clothing_style: ClothingStyle
    clothing_color: str
    accessories: list[Accessory]
    background: str
    background_to: str | None
    expression: Expression
    voice_gender: str | None = None
    """The voice the avatar wants: ``female``, ``male`` or null (any)."""
    voice_language: str | None = None
    """The language of that voice (``en``, ``en-gb``); null: any."""


class AvatarResponse(msgspec.Struct, kw_only=True):
    avatar_id: str
    name: str
    state: AvatarStateBody
    version: int
    created_at: datetime
    updated_at: datetime
    tenant: TenantField


class AvatarListResponse(msgspec.Struct, kw_only=True):
    """One page, oldest first; pass ``next_cursor`` as ``cursor`` for the next (null: the end)."""

    avatars: list[AvatarResponse]
    count: int
    next_cursor: str | None


class AvatarStateResponse(msgspec.Struct, kw_only=True):
    avatar_id: str
    state: AvatarStateBody
    version: int


def to_state_body(state: AvatarState) -> AvatarStateBody:
    return AvatarStateBody(
        skin_tone=state.skin_tone,
        hair_style=state.hair_style,
        hair_color=state.hair_color,
        eye_color=state.eye_color,
        brow_style=state.brow_style,
        clothing_style=state.clothing_style,
        clothing_color=state.clothing_color,
        accessories=list(state.accessories),
        background=state.background,
        background_to=state.background_to,
        expression=state.expression,
        voice_gender=None if state.voice_gender is None else str(state.voice_gender),
        voice_language=state.voice_language,
    )


def to_avatar_response(avatar: Avatar) -> AvatarResponse:
    return AvatarResponse(
        avatar_id=avatar.avatar_id,
        name=avatar.name,
        state=to_state_body(avatar.state),
        version=avatar.version,
        created_at=avatar.created_at,
        updated_at=avatar.updated_at,
        tenant=avatar.tenant,
    )


def to_avatar_list(page: Page[Avatar]) -> AvatarListResponse:
    avatars = [to_avatar_response(a) for a in page.items]
    return AvatarListResponse(avatars=avatars, count=len(avatars), next_cursor=page.next_cursor)


def to_state_response(avatar: Avatar) -> AvatarStateResponse:
    return AvatarStateResponse(
        avatar_id=avatar.avatar_id, state=to_state_body(avatar.state), version=avatar.version
    )


STATE_EXAMPLE: dict[str, Any] = AvatarState().to_dict()
"""A complete state (the defaults), for the OpenAPI examples."""
