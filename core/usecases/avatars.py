"""Avatars and their state, sessions and presets; deletes cascade to blobs after the commit."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from avatar_service.core.avatar import AvatarState
from avatar_service.core.errors import Invalid
from avatar_service.core.paging import check_page_size
from avatar_service.core.ports import BlobStore, Store
from avatar_service.core.records import (
    AudioRecord,
    Avatar,
    Deleted,
    Namespace,
    Page,
    Preset,
    RenderRecord,
    Session,
    check_external_id,
    new_id,
)

log = logging.getLogger(__name__)

MAX_NAME_CHARS = 200


def _check_name(name: str) -> str:
    if not isinstance(name, str) or len(name) > MAX_NAME_CHARS:
        raise Invalid(f"name must be a string of at most {MAX_NAME_CHARS} characters", field="name")
    return name


class AvatarUseCases:
    """Avatar, session and preset management over a ``Store`` and a ``BlobStore``."""

    def __init__(self, store: Store, blobs: BlobStore) -> None:
        self._store = store
        self._blobs = blobs

    # avatars
    def create_avatar(
        self,
        *,
        avatar_id: str | None = None,
        name: str = "",
        state: Mapping[str, Any] | None = None,
        preset_id: str | None = None,
    ) -> Avatar:
        """A new avatar; its state is the defaults, then the preset's settings, then ``state``."""
        avatar_id = check_external_id(avatar_id, "avatar_id") if avatar_id else new_id("av")
        base = AvatarState()
        if preset_id is not None:
            base = base.merged(self._store.get_preset(preset_id).settings)
        resolved = base.merged(state or {})
        return self._store.create_avatar(Avatar(avatar_id, _check_name(name), resolved))

    def get_avatar(self, avatar_id: str) -> Avatar:
        return self._store.get_avatar(avatar_id)

    def list_avatars(self, *, limit: int = 50, cursor: str | None = None) -> Page[Avatar]:
        return self._store.list_avatars(limit=check_page_size(limit), cursor=cursor)

    def rename_avatar(
        self, avatar_id: str, name: str, expected_version: int | None = None
    ) -> Avatar:
        return self._store.update_avatar(
            avatar_id, name=_check_name(name), expected_version=expected_version
        )

    def replace_state(
        self, avatar_id: str, state: Mapping[str, Any], expected_version: int | None = None
    ) -> Avatar:
        """PUT semantics: ``state`` is the whole state; omitted fields take their defaults."""
        return self._store.update_avatar(
            avatar_id, state=AvatarState.from_dict(state), expected_version=expected_version
        )

    def patch_state(
        self, avatar_id: str, patch: Mapping[str, Any], expected_version: int | None = None
    ) -> Avatar:
        """RFC 7396 merge patch over the current state (``null`` resets a field)."""
        if not isinstance(patch, Mapping):
            raise Invalid("a merge patch must be a JSON object", field="state")
        current = self._store.get_avatar(avatar_id)
        version = current.version if expected_version is None else expected_version
        return self._store.update_avatar(
            avatar_id, state=current.state.merged(patch), expected_version=version
        )

    def delete_avatar(self, avatar_id: str) -> Deleted:
        deleted = self._store.delete_avatar(avatar_id)
        self._delete_blobs(deleted)
        return deleted

    # sessions
    def create_session(
        self,
        avatar_id: str,
        *,
        session_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Session:
        session_id = check_external_id(session_id, "session_id") if session_id else new_id("se")
        return self._store.create_session(Session(session_id, avatar_id, dict(metadata or {})))

    def get_session(self, session_id: str) -> Session:
        return self._store.get_session(session_id)

    def list_sessions(
        self, *, avatar_id: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page[Session]:
        return self._store.list_sessions(
            avatar_id=avatar_id, limit=check_page_size(limit), cursor=cursor
        )

    def delete_session(self, session_id: str) -> Deleted:
        deleted = self._store.delete_session(session_id)
        self._delete_blobs(deleted)
        return deleted

    # presets
    def create_preset(
        self, *, preset_id: str | None = None, name: str = "", settings: Mapping[str, Any]
    ) -> Preset:
        """A preset whose ``settings`` must be a valid partial avatar state."""
        preset_id = check_external_id(preset_id, "preset_id") if preset_id else new_id("pr")
        AvatarState().merged(settings)
        return self._store.create_preset(Preset(preset_id, _check_name(name), dict(settings)))

    def get_preset(self, preset_id: str) -> Preset:
        return self._store.get_preset(preset_id)

    def list_presets(self, *, limit: int = 50, cursor: str | None = None) -> Page[Preset]:
        return self._store.list_presets(limit=check_page_size(limit), cursor=cursor)

    def delete_preset(self, preset_id: str) -> None:
        self._store.delete_preset(preset_id)

    def update_preset(
        self,
        preset_id: str,
        *,
        name: str | None = None,
        settings: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Preset:
        """Rename and/or replace the settings (a valid partial avatar state) of a preset."""
        if settings is not None:
            if not isinstance(settings, Mapping):
                raise Invalid("settings must be an object", field="settings")
            AvatarState().merged(settings)
        return self._store.update_preset(
            preset_id,
            name=None if name is None else _check_name(name),
            settings=None if settings is None else dict(settings),
            expected_version=expected_version,
        )

    def resolve_state(
        self,
        *,
        avatar_id: str | None = None,
        preset_id: str | None = None,
        state: Mapping[str, Any] | None = None,
    ) -> AvatarState:
        """The state to draw: the avatar's (else the defaults), then the preset's settings,
        then ``state`` as a merge patch. For render requests that name a preset."""
        base = self._store.get_avatar(avatar_id).state if avatar_id else AvatarState()
        if preset_id is not None:
            base = base.merged(self._store.get_preset(preset_id).settings)
        return base.merged(state or {})

    # audio and render records
    def list_audios(
        self,
        *,
        avatar_id: str | None = None,
        session_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[AudioRecord]:
        return self._store.list_audios(
            avatar_id=avatar_id, session_id=session_id, limit=check_page_size(limit), cursor=cursor
        )

    def list_renders(
        self,
        *,
        avatar_id: str | None = None,
        session_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[RenderRecord]:
        return self._store.list_renders(
            avatar_id=avatar_id, session_id=session_id, limit=check_page_size(limit), cursor=cursor
        )

    def _delete_blobs(self, deleted: Deleted) -> None:
        """Blobs go after their rows' commit; a failure here leaves an orphan for ``avatar gc``."""
        targets = [(Namespace.AUDIOS, a.blob_name) for a in deleted.audios]
        targets += [(Namespace.RENDERS, r.blob_name) for r in deleted.renders]
        for namespace, blob_name in targets:
            try:
                self._blobs.delete(namespace, blob_name)
            except Exception:
                log.warning("orphan blob left for gc: %s/%s", namespace, blob_name, exc_info=True)
