"""Bodies of the audio and render listings (the media itself is downloaded by id)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from avatar_service.core.records import AudioRecord, Page, RenderRecord
from avatar_service.entrypoints.http.schemas.tenancy import TenantField


class AudioItem(msgspec.Struct, kw_only=True):
    audio_id: str
    audio_url: str
    text: str
    voice: Annotated[
        str, Meta(description="The voice that spoke it (as `voice` names it in requests).")
    ]
    duration: float
    sample_rate: int
    avatar_id: str | None
    session_id: str | None
    created_at: datetime
    tenant: TenantField


class AudioListResponse(msgspec.Struct, kw_only=True):
    """One page, oldest first; pass ``next_cursor`` as ``cursor`` for the next (null: the end)."""

    audios: list[AudioItem]
    count: int
    next_cursor: str | None


class RenderItem(msgspec.Struct, kw_only=True):
    render_id: str
    render_url: str
    kind: str
    format: str
    width: int
    height: int
    duration: float | None
    fps: int | None
    frames: int | None
    avatar_id: str | None
    session_id: str | None
    created_at: datetime
    tenant: TenantField


class RenderListResponse(msgspec.Struct, kw_only=True):
    """One page, oldest first; pass ``next_cursor`` as ``cursor`` for the next (null: the end)."""

    renders: list[RenderItem]
    count: int
    next_cursor: str | None


def to_audio_list(page: Page[AudioRecord]) -> AudioListResponse:
    audios = [
        AudioItem(
            audio_id=r.audio_id,
            audio_url=f"/v1/audios/{r.audio_id}",
            text=r.text,
            voice=r.voice_id,
            duration=r.duration,
            sample_rate=r.sample_rate,
            avatar_id=r.avatar_id,
            session_id=r.session_id,
            created_at=r.created_at,
            tenant=r.tenant,
        )
        for r in page.items
    ]
    return AudioListResponse(audios=audios, count=len(audios), next_cursor=page.next_cursor)


def to_render_list(page: Page[RenderRecord]) -> RenderListResponse:
    renders = [
        RenderItem(
            render_id=r.render_id,
            render_url=f"/v1/renders/{r.render_id}",
            kind=str(r.kind),
            format=r.format,
            width=r.width,
            height=r.height,
            duration=r.duration,
            fps=r.fps,
            frames=r.frames,
            avatar_id=r.avatar_id,
            session_id=r.session_id,
            created_at=r.created_at,
            tenant=r.tenant,
        )
        for r in page.items
    ]
    return RenderListResponse(renders=renders, count=len(renders), next_cursor=page.next_cursor)
