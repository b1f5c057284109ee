"""Rows <-> the core's records, explicitly, field by field."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from avatar_service.core.avatar import AvatarState
from avatar_service.core.records import (
    AudioRecord,
    Avatar,
    Preset,
    RenderKind,
    RenderRecord,
    Session,
)

Row = Mapping[Any, Any]
"""A result row by column name (``sqlalchemy.RowMapping`` or a plain dict)."""


def avatar_values(avatar: Avatar) -> dict[str, Any]:
    return {
        "tenant": avatar.tenant,
        "avatar_id": avatar.avatar_id,
        "name": avatar.name,
        "state": avatar.state.to_dict(),
        "version": avatar.version,
        "created_at": avatar.created_at,
        "updated_at": avatar.updated_at,
    }


def to_avatar(row: Row) -> Avatar:
    return Avatar(
        avatar_id=row["avatar_id"],
        name=row["name"],
        state=AvatarState.from_dict(row["state"]),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        tenant=row["tenant"],
    )


def session_values(session: Session) -> dict[str, Any]:
    return {
        "tenant": session.tenant,
        "session_id": session.session_id,
        "avatar_id": session.avatar_id,
        "metadata": copy.deepcopy(session.metadata),
        "created_at": session.created_at,
        "deleted_at": session.deleted_at,
    }


def to_session(row: Row) -> Session:
    return Session(
        session_id=row["session_id"],
        avatar_id=row["avatar_id"],
        metadata=copy.deepcopy(row["metadata"]),
        created_at=row["created_at"],
        deleted_at=row["deleted_at"],
        tenant=row["tenant"],
    )


def preset_values(preset: Preset) -> dict[str, Any]:
    return {
        "tenant": preset.tenant,
        "preset_id": preset.preset_id,
        "name": preset.name,
        "settings": copy.deepcopy(preset.settings),
        "version": preset.version,
        "created_at": preset.created_at,
        "updated_at": preset.updated_at,
    }


def to_preset(row: Row) -> Preset:
    return Preset(
        preset_id=row["preset_id"],
        name=row["name"],
        settings=copy.deepcopy(row["settings"]),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        tenant=row["tenant"],
    )


def audio_values(record: AudioRecord) -> dict[str, Any]:
    return {
        "tenant": record.tenant,
        "audio_id": record.audio_id,
        "text": record.text,
        "voice_id": record.voice_id,
        "duration": record.duration,
        "sample_rate": record.sample_rate,
        "blob_name": record.blob_name,
        "avatar_id": record.avatar_id,
        "session_id": record.session_id,
        "created_at": record.created_at,
    }


def to_audio(row: Row) -> AudioRecord:
    return AudioRecord(
        audio_id=row["audio_id"],
        text=row["text"],
        voice_id=row["voice_id"],
        duration=row["duration"],
        sample_rate=row["sample_rate"],
        blob_name=row["blob_name"],
        avatar_id=row["avatar_id"],
        session_id=row["session_id"],
        created_at=row["created_at"],
        tenant=row["tenant"],
    )


def render_values(record: RenderRecord) -> dict[str, Any]:
    return {
        "tenant": record.tenant,
        "render_id": record.render_id,
        "kind": str(record.kind),
        "width": record.width,
        "height": record.height,
        "format": record.format,
        "blob_name": record.blob_name,
        "avatar_id": record.avatar_id,
        "session_id": record.session_id,
        "duration": record.duration,
        "fps": record.fps,
        "frames": record.frames,
        "created_at": record.created_at,
    }


def to_render(row: Row) -> RenderRecord:
    return RenderRecord(
        render_id=row["render_id"],
        kind=RenderKind(row["kind"]),
        width=row["width"],
        height=row["height"],
        format=row["format"],
        blob_name=row["blob_name"],
        avatar_id=row["avatar_id"],
        session_id=row["session_id"],
        duration=row["duration"],
        fps=row["fps"],
        frames=row["frames"],
        created_at=row["created_at"],
        tenant=row["tenant"],
    )
