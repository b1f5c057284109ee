"""An in-process ``Store``: dicts behind one lock. Nothing survives a restart; for tests,
development and single-process demos."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TypeVar

from avatar_service.adapters.store.memory_jobs import MemoryJobs
from avatar_service.adapters.store.memory_keys import MemoryKeys
from avatar_service.core.avatar import AvatarState
from avatar_service.core.errors import Conflict, NotFound, stale_version
from avatar_service.core.paging import (
    CursorKey,
    aware,
    check_store_limit,
    decode_cursor,
    encode_cursor,
)
from avatar_service.core.ports import Store
from avatar_service.core.records import (
    AudioRecord,
    Avatar,
    Deleted,
    Page,
    Preset,
    RenderRecord,
    Session,
    utcnow,
)
from avatar_service.core.tenancy import DEFAULT_TENANT, TenantScope, check_tenant, one_tenant

R = TypeVar("R")
Rec = TypeVar("Rec", AudioRecord, RenderRecord)
_Owned = tuple[str, str]
"""(tenant, id): avatars, sessions and presets are unique per tenant."""


def paginate(
    items: Iterable[R], key: Callable[[R], CursorKey], limit: int, cursor: str | None
) -> Page[R]:
    """Oldest first by ``key``, at most ``limit`` items after ``cursor``."""
    check_store_limit(limit)
    after = decode_cursor(cursor) if cursor is not None else None
    ordered = sorted(items, key=key)
    if after is not None:
        ordered = [item for item in ordered if key(item) > after]
    page = ordered[:limit]
    more = len(ordered) > limit
    return Page(tuple(page), encode_cursor(key(page[-1])) if more else None)


def _session_out(session: Session) -> Session:
    return replace(session, metadata=copy.deepcopy(session.metadata))


def _preset_out(preset: Preset) -> Preset:
    return replace(preset, settings=copy.deepcopy(preset.settings))


class MemoryStore(Store, MemoryKeys, MemoryJobs):
    """Every ``Store`` rule in memory; one re-entrant lock makes each call atomic.

    Dict fields (session metadata, preset settings) are deep-copied in and out, so callers
    never share mutable state with the store. A soft-deleted session keeps its id taken
    (creating it again is a ``Conflict``) until its avatar is deleted. ``scoped`` views share
    the data and the lock; avatars, sessions and presets are keyed by ``(tenant, id)``.
    """

    PLUGIN_NAME = "memory"
    READS_ON_LOOP = True
    """Reads take one in-process lock for microseconds: an event loop may call them inline."""

    def __init__(self) -> None:
        MemoryKeys.__init__(self)
        MemoryJobs.__init__(self)
        self._lock = threading.RLock()
        self._tenant: TenantScope = DEFAULT_TENANT
        self._avatars: dict[_Owned, Avatar] = {}
        self._sessions: dict[_Owned, Session] = {}
        self._presets: dict[_Owned, Preset] = {}
        self._audios: dict[str, AudioRecord] = {}
        self._renders: dict[str, RenderRecord] = {}

    def check(self) -> None:
        return None

    def scoped(self, tenant: TenantScope) -> MemoryStore:
        view = copy.copy(self)
        view._tenant = view._job_tenant = tenant if tenant is None else check_tenant(tenant)
        return view

    def scoped_jobs(self, tenant: TenantScope) -> MemoryStore:
        return self.scoped(tenant)

    def _creating(self) -> str:
        """The tenant a record created in this view belongs to (none across tenants)."""
        return self._one("creating a record")

    def _one(self, what: str) -> str:
        return one_tenant(self._tenant, what)

    def _sees(self, tenant: str) -> bool:
        return self._tenant is None or tenant == self._tenant

    # avatars
    def create_avatar(self, avatar: Avatar) -> Avatar:
        avatar = replace(avatar, tenant=self._creating())
        with self._lock:
            if (avatar.tenant, avatar.avatar_id) in self._avatars:
                raise Conflict(f"avatar {avatar.avatar_id!r} already exists", field="avatar_id")
            self._avatars[avatar.tenant, avatar.avatar_id] = avatar
            return avatar

    def get_avatar(self, avatar_id: str) -> Avatar:
        with self._lock:
            return self._avatar(self._one("reading an avatar"), avatar_id)

    def list_avatars(self, *, limit: int = 50, cursor: str | None = None) -> Page[Avatar]:
        with self._lock:
            avatars = [a for a in self._avatars.values() if self._sees(a.tenant)]
        return paginate(avatars, lambda a: (aware(a.created_at), a.avatar_id), limit, cursor)

    def update_avatar(
        self,
        avatar_id: str,
        *,
        name: str | None = None,
        state: AvatarState | None = None,
        expected_version: int | None = None,
    ) -> Avatar:
        tenant = self._one("changing an avatar")
        with self._lock:
            current = self._avatar(tenant, avatar_id)
            _check_version("avatar", avatar_id, current.version, expected_version)
            updated = replace(
                current,
                name=current.name if name is None else name,
                state=current.state if state is None else state,
                version=current.version + 1,
                updated_at=utcnow(),
            )
            self._avatars[tenant, avatar_id] = updated
            return updated

    def delete_avatar(self, avatar_id: str) -> Deleted:
        tenant = self._one("deleting an avatar")
        with self._lock:
            self._avatar(tenant, avatar_id)
            sessions = sorted(
                (
                    s
                    for s in self._sessions.values()
                    if s.tenant == tenant and s.avatar_id == avatar_id
                ),
                key=lambda s: (aware(s.created_at), s.session_id),
            )
            session_ids = {s.session_id for s in sessions}

            def doomed(r: AudioRecord | RenderRecord) -> bool:
                return r.tenant == tenant and (
                    r.avatar_id == avatar_id or r.session_id in session_ids
                )

            audios = _take(self._audios, doomed)
            renders = _take(self._renders, doomed)
            for session_id in session_ids:
                del self._sessions[tenant, session_id]
            del self._avatars[tenant, avatar_id]
            return Deleted(audios, renders, tuple(s.session_id for s in sessions))

    # sessions
    def create_session(self, session: Session) -> Session:
        session = replace(session, tenant=self._creating())
        with self._lock:
            if (session.tenant, session.session_id) in self._sessions:
                raise Conflict(f"session {session.session_id!r} already exists", field="session_id")
            self._avatar(session.tenant, session.avatar_id, field="avatar_id")
            stored = _session_out(session)
            self._sessions[session.tenant, session.session_id] = stored
            return _session_out(stored)

    def get_session(self, session_id: str) -> Session:
        with self._lock:
            return _session_out(self._session(self._one("reading a session"), session_id))

    def list_sessions(
        self, *, avatar_id: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page[Session]:
        with self._lock:
            sessions = [
                _session_out(s)
                for s in self._sessions.values()
                if s.deleted_at is None
                and self._sees(s.tenant)
                and (avatar_id is None or s.avatar_id == avatar_id)
            ]
        return paginate(sessions, lambda s: (aware(s.created_at), s.session_id), limit, cursor)

    def delete_session(self, session_id: str) -> Deleted:
        tenant = self._one("deleting a session")
        with self._lock:
            session = self._session(tenant, session_id)

            def doomed(r: AudioRecord | RenderRecord) -> bool:
                return r.tenant == tenant and r.session_id == session_id

            audios = _take(self._audios, doomed)
            renders = _take(self._renders, doomed)
            self._sessions[tenant, session_id] = replace(session, deleted_at=utcnow())
            return Deleted(audios, renders, (session_id,))

    # presets
    def create_preset(self, preset: Preset) -> Preset:
        preset = replace(preset, tenant=self._creating())
        with self._lock:
            if (preset.tenant, preset.preset_id) in self._presets:
                raise Conflict(f"preset {preset.preset_id!r} already exists", field="preset_id")
            stored = _preset_out(preset)
            self._presets[preset.tenant, preset.preset_id] = stored
            return _preset_out(stored)

    def get_preset(self, preset_id: str) -> Preset:
        with self._lock:
            return _preset_out(self._preset(self._one("reading a preset"), preset_id))

    def list_presets(self, *, limit: int = 50, cursor: str | None = None) -> Page[Preset]:
        with self._lock:
            presets = [_preset_out(p) for p in self._presets.values() if self._sees(p.tenant)]
        return paginate(presets, lambda p: (aware(p.created_at), p.preset_id), limit, cursor)

    def update_preset(
        self,
        preset_id: str,
        *,
        name: str | None = None,
        settings: dict[str, object] | None = None,
        expected_version: int | None = None,
    ) -> Preset:
        tenant = self._one("changing a preset")
        with self._lock:
            current = self._preset(tenant, preset_id)
            _check_version("preset", preset_id, current.version, expected_version)
            updated = replace(
                current,
                name=current.name if name is None else name,
                settings=current.settings if settings is None else copy.deepcopy(settings),
                version=current.version + 1,
                updated_at=utcnow(),
            )
            self._presets[tenant, preset_id] = updated
            return _preset_out(updated)

    def delete_preset(self, preset_id: str) -> None:
        tenant = self._one("deleting a preset")
        with self._lock:
            self._preset(tenant, preset_id)
            del self._presets[tenant, preset_id]

    # audio and render records
    def add_audio(self, record: AudioRecord) -> AudioRecord:
        record = replace(record, tenant=self._creating())
        with self._lock:
            if record.audio_id in self._audios:
                raise Conflict(f"audio {record.audio_id!r} already exists", field="audio_id")
            self._check_owners(record.tenant, record.avatar_id, record.session_id)
            self._audios[record.audio_id] = record
            return record

    def get_audio(self, audio_id: str) -> AudioRecord:
        with self._lock:
            record = self._audios.get(audio_id)
        if record is None or not self._sees(record.tenant):
            raise NotFound(f"no audio {audio_id!r}", field="audio_id")
        return record

    def list_audios(
        self,
        *,
        avatar_id: str | None = None,
        session_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[AudioRecord]:
        with self._lock:
            records = [
                r
                for r in self._audios.values()
                if self._sees(r.tenant) and _owned(r, avatar_id, session_id)
            ]
        return paginate(records, lambda r: (aware(r.created_at), r.audio_id), limit, cursor)

    def add_render(self, record: RenderRecord) -> RenderRecord:
        record = replace(record, tenant=self._creating())
        with self._lock:
            if record.render_id in self._renders:
                raise Conflict(f"render {record.render_id!r} already exists", field="render_id")
            self._check_owners(record.tenant, record.avatar_id, record.session_id)
            self._renders[record.render_id] = record
            return record

    def get_render(self, render_id: str) -> RenderRecord:
        with self._lock:
            record = self._renders.get(render_id)
        if record is None or not self._sees(record.tenant):
            raise NotFound(f"no render {render_id!r}", field="render_id")
        return record

    def list_renders(
        self,
        *,
        avatar_id: str | None = None,
        session_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[RenderRecord]:
        with self._lock:
            records = [
                r
                for r in self._renders.values()
                if self._sees(r.tenant) and _owned(r, avatar_id, session_id)
            ]
        return paginate(records, lambda r: (aware(r.created_at), r.render_id), limit, cursor)

    # helpers; callers hold the lock
    def _avatar(self, tenant: str, avatar_id: str, field: str = "avatar_id") -> Avatar:
        avatar = self._avatars.get((tenant, avatar_id))
        if avatar is None:
            raise NotFound(f"no avatar {avatar_id!r}", field=field)
        return avatar

    def _session(self, tenant: str, session_id: str) -> Session:
        session = self._sessions.get((tenant, session_id))
        if session is None or session.deleted_at is not None:
            raise NotFound(f"no session {session_id!r}", field="session_id")
        return session

    def _preset(self, tenant: str, preset_id: str) -> Preset:
        preset = self._presets.get((tenant, preset_id))
        if preset is None:
            raise NotFound(f"no preset {preset_id!r}", field="preset_id")
        return preset

    def _check_owners(self, tenant: str, avatar_id: str | None, session_id: str | None) -> None:
        if avatar_id is not None:
            self._avatar(tenant, avatar_id)
        if session_id is not None:
            self._session(tenant, session_id)


def _take(table: dict[str, Rec], doomed: Callable[[Rec], bool]) -> tuple[Rec, ...]:
    """Remove and return (oldest first) the records of ``table`` that ``doomed`` selects."""
    keys = sorted(
        (k for k, r in table.items() if doomed(r)), key=lambda k: (aware(table[k].created_at), k)
    )
    return tuple(table.pop(k) for k in keys)


def _owned(
    record: AudioRecord | RenderRecord, avatar_id: str | None, session_id: str | None
) -> bool:
    return (avatar_id is None or record.avatar_id == avatar_id) and (
        session_id is None or record.session_id == session_id
    )


def _check_version(kind: str, item_id: str, version: int, expected: int | None) -> None:
    if expected is not None and expected != version:
        raise stale_version(kind, item_id, version, expected)
