"""What the service keeps: avatars, sessions, presets, audio and render records, blob metadata."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from avatar_service.core.avatar import AvatarState
from avatar_service.core.errors import Invalid
from avatar_service.core.tenancy import DEFAULT_TENANT

T = TypeVar("T")

_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (the only kind of timestamp the core keeps)."""
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    """A fresh external id such as ``av_3f9c...`` (96 random bits, URL-safe)."""
    return f"{prefix}_{secrets.token_hex(12)}"


def check_external_id(value: str, name: str) -> str:
    """Return ``value`` if it is a valid client-chosen id, else raise ``Invalid`` naming ``name``.

    Valid: 1-64 characters of letters, digits, ``.``, ``_``, ``-``, starting alphanumeric.
    """
    if not isinstance(value, str) or not _EXTERNAL_ID.match(value):
        raise Invalid(
            f"{name} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or "
            f"digit; got {value!r}",
            field=name,
        )
    return value


class Namespace(StrEnum):
    """The blob store's namespaces."""

    ASSETS = "assets"
    AUDIOS = "audios"
    RENDERS = "renders"


@dataclass(frozen=True, slots=True)
class Avatar:
    avatar_id: str
    name: str
    state: AvatarState
    version: int = 1
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    tenant: str = DEFAULT_TENANT


@dataclass(frozen=True, slots=True)
class Session:
    session_id: str
    avatar_id: str
    metadata: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=utcnow)
    deleted_at: datetime | None = None
    tenant: str = DEFAULT_TENANT


@dataclass(frozen=True, slots=True)
class Preset:
    """Named partial avatar state, applied as a merge patch over the defaults."""

    preset_id: str
    name: str
    settings: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    tenant: str = DEFAULT_TENANT


@dataclass(frozen=True, slots=True)
class AudioRecord:
    audio_id: str
    text: str
    voice_id: str
    duration: float
    sample_rate: int
    blob_name: str
    avatar_id: str | None = None
    session_id: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    tenant: str = DEFAULT_TENANT


class RenderKind(StrEnum):
    FRAME = "frame"
    VIDEO = "video"


@dataclass(frozen=True, slots=True)
class RenderRecord:
    render_id: str
    kind: RenderKind
    width: int
    height: int
    format: str
    blob_name: str
    avatar_id: str | None = None
    session_id: str | None = None
    duration: float | None = None
    fps: int | None = None
    frames: int | None = None
    created_at: datetime = field(default_factory=utcnow)
    tenant: str = DEFAULT_TENANT


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """Metadata recorded when a blob is written; listing returns it without re-reading data."""

    namespace: Namespace
    name: str
    size: int
    content_type: str
    checksum: str
    modified: datetime


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; pass ``next_cursor`` back to get the next (``None``: the end)."""

    items: tuple[T, ...]
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Deleted:
    """What a cascading delete removed from the store: the blobs to delete after commit."""

    audios: tuple[AudioRecord, ...] = ()
    renders: tuple[RenderRecord, ...] = ()
    sessions: tuple[str, ...] = ()
