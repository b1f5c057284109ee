"""Persistence ports: records (avatars, sessions, presets, audio, renders) and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from avatar_service.core.auth import ApiKey
from avatar_service.core.avatar import AvatarState
from avatar_service.core.records import (
    AudioRecord,
    Avatar,
    Deleted,
    Page,
    Preset,
    RenderRecord,
    Session,
)
from avatar_service.core.tenancy import TenantScope


@runtime_checkable
class Store(Protocol):
    """Persistence of avatars, sessions, presets, audio and render records.

    - Ids are unique per kind: creating an existing id raises ``Conflict``; reading, updating
      or deleting a missing one raises ``NotFound``.
    - ``update_avatar``/``update_preset`` with ``expected_version`` raise
      ``PreconditionFailed`` unless it equals the stored version; every successful update
      increments the version by exactly 1, atomically (no lost update under concurrency).
    - ``delete_session`` soft-deletes the session (it then reads as ``NotFound``, is left out
      of listings, and its id stays taken: reusing it is a ``Conflict``) and removes its audio
      and render records; ``delete_avatar`` removes the avatar, all its sessions (soft-deleted
      ones included, listed in ``Deleted.sessions``) and every audio and render record that
      names it or one of its sessions. Both return what they removed, so the caller can
      delete the blobs after the commit.
    - Records naming a missing avatar or session raise ``NotFound``.
    - Listings are ordered oldest first (``created_at``, then id), ``limit`` items at most,
      with an opaque ``cursor``; a bad cursor raises ``Invalid``.

    Tenancy (``core.tenancy``): a store acts in one tenant, ``DEFAULT_TENANT`` as built;
    ``scoped(tenant)`` is a view of the same data acting in ``tenant`` (``ALL_TENANTS``:
    across tenants). In a tenant's view every record created belongs to that tenant (its
    ``tenant`` field is set to it); every read, listing, update and delete sees only that
    tenant's records, and another tenant's id reads exactly as a missing one (``NotFound``),
    cascades included. Avatar, session and preset ids are unique per tenant: another tenant's
    id can be created again (no ``Conflict``) as a separate record. Audio and render ids are
    made by the server (random) and unique across tenants. In the cross-tenant view listings
    span every tenant and audio and render records are read (and, with ``RecordRemover``,
    removed) by id; creating anything, and reading, changing or deleting an avatar, session or
    preset, raises ``Invalid`` (field ``tenant``).
    """

    def scoped(self, tenant: TenantScope) -> Store: ...

    def create_avatar(self, avatar: Avatar) -> Avatar: ...
    def get_avatar(self, avatar_id: str) -> Avatar: ...
    def list_avatars(self, *, limit: int = 50, cursor: str | None = None) -> Page[Avatar]: ...
    def update_avatar(
        self,
        avatar_id: str,
        *,
        name: str | None = None,
        state: AvatarState | None = None,
        expected_version: int | None = None,
    ) -> Avatar: ...
    def delete_avatar(self, avatar_id: str) -> Deleted: ...

    def create_session(self, session: Session) -> Session: ...
    def get_session(self, session_id: str) -> Session: ...
    def list_sessions(
        self, *, avatar_id: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page[Session]: ...
    def delete_session(self, session_id: str) -> Deleted: ...

    def create_preset(self, preset: Preset) -> Preset: ...
    def get_preset(self, preset_id: str) -> Preset: ...
    def list_presets(self, *, limit: int = 50, cursor: str | None = None) -> Page[Preset]: ...
    def update_preset(
        self,
        preset_id: str,
        *,
        name: str | None = None,
        settings: dict[str, object] | None = None,
        expected_version: int | None = None,
    ) -> Preset: ...
    def delete_preset(self, preset_id: str) -> None: ...

    def add_audio(self, record: AudioRecord) -> AudioRecord: ...
    def get_audio(self, audio_id: str) -> AudioRecord: ...
    def list_audios(
        self,
        *,
        avatar_id: str | None = None,
        session_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[AudioRecord]: ...

    def add_render(self, record: RenderRecord) -> RenderRecord: ...
    def get_render(self, render_id: str) -> RenderRecord: ...
    def list_renders(
        self,
        *,
        avatar_id: str | None = None,
        session_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[RenderRecord]: ...

    def check(self) -> None: ...


@runtime_checkable
class RecordRemover(Protocol):
    """Optional ``Store`` capability (``avatar gc``): remove one audio or render record whose
    blob is gone. A missing id raises ``NotFound``; nothing else is touched (no cascade)."""

    def delete_audio(self, audio_id: str) -> None: ...
    def delete_render(self, render_id: str) -> None: ...


@runtime_checkable
class KeyStore(Protocol):
    """Optional ``Store`` capability: API keys (``avatar keys``), kept without their secrets.

    - ``add_key`` stores the record; an id already stored raises ``Conflict``.
    - ``get_key`` returns the record, revoked or not; a missing id raises ``NotFound``.
    - ``list_keys`` returns every key, revoked ones included, oldest first (by
      ``created_at``, then id).
    - ``revoke_key`` sets ``revoked_at`` (a key already revoked keeps its first time) and
      returns the record; a missing id raises ``NotFound``. Keys are never deleted.
    - ``has_keys`` is whether any key was ever stored, revoked ones included.
    """

    def add_key(self, key: ApiKey) -> ApiKey: ...
    def get_key(self, key_id: str) -> ApiKey: ...
    def list_keys(self) -> list[ApiKey]: ...
    def revoke_key(self, key_id: str, at: datetime) -> ApiKey: ...
    def has_keys(self) -> bool: ...
