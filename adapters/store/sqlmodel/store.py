"""The SQL ``Store``: every port rule in transactions over the SQLModel tables.

Writes on SQLite start with ``BEGIN IMMEDIATE`` and queue behind one in-process lock, so
parallel writers wait (``busy_timeout`` covers other processes) instead of failing with
"database is locked". Version bumps are one ``UPDATE ... WHERE version = ?`` each, so no update
is lost on either database.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, TypeVar

import sqlalchemy as sa

from avatar_service.adapters.store.sqlmodel import mapping
from avatar_service.adapters.store.sqlmodel.engine import WRITE, create_engine, is_sqlite
from avatar_service.adapters.store.sqlmodel.jobs import SqlJobs
from avatar_service.adapters.store.sqlmodel.keys import SqlKeys
from avatar_service.adapters.store.sqlmodel.prepared import PreparedQuery
from avatar_service.adapters.store.sqlmodel.queries import (
    by_id,
    by_tenant_id,
    check_owners,
    live_session,
    one,
    ordered,
    owner_filters,
)
from avatar_service.adapters.store.sqlmodel.rows import SqlRows
from avatar_service.adapters.store.sqlmodel.tables import TABLES
from avatar_service.core.avatar import AvatarState
from avatar_service.core.errors import (
    Unavailable,
)
from avatar_service.core.ports import RecordRemover, Store
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
AVATARS, SESSIONS, PRESETS = TABLES["avatars"], TABLES["sessions"], TABLES["presets"]
AUDIOS, RENDERS = TABLES["audios"], TABLES["renders"]


class SqlModelStore(Store, RecordRemover, SqlRows, SqlKeys, SqlJobs):
    """``Store`` over SQLAlchemy Core on the SQLModel tables; safe to share between threads.

    The schema must exist (``schema.prepare`` or ``avatar db upgrade``). A soft-deleted
    session keeps its id taken until its avatar is deleted. ``scoped`` views share the engine,
    the prepared reads and the write lock; every statement of a view names its tenant.
    """

    PLUGIN_NAME = "sqlmodel"

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._sqlite = is_sqlite(engine)
        # Local file reads, lock waits bounded (``READ_BUSY_TIMEOUT_MS``): fine on an event loop.
        self.READS_ON_LOOP = self._sqlite
        # One writer at a time inside this process on SQLite (the database allows one anyway).
        self._write_lock = threading.Lock() if self._sqlite else contextlib.nullcontext()
        self._postgres = engine.dialect.name == "postgresql"
        self._tenant: TenantScope = DEFAULT_TENANT
        self._get = {
            name: PreparedQuery(engine, by_tenant_id(table, f"{name}_id"))
            for name, table in (("preset", PRESETS), ("audio", AUDIOS), ("render", RENDERS))
        }
        # Avatars are immutable records read on every state GET: remember the mapped ones.
        self._get["avatar"] = PreparedQuery(
            engine, by_tenant_id(AVATARS, "avatar_id"), memo_size=1024
        )
        self._get["session"] = PreparedQuery(
            engine, by_tenant_id(SESSIONS, "session_id").where(SESSIONS.c.deleted_at.is_(None))
        )
        # The cross-tenant view reads audio and renders by their (overall unique) ids.
        self._get_any = {
            name: PreparedQuery(engine, by_id(table, f"{name}_id"))
            for name, table in (("audio", AUDIOS), ("render", RENDERS))
        }

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 10) -> SqlModelStore:
        return cls(create_engine(url, pool_size=pool_size))

    def close(self) -> None:
        for query in [*self._get.values(), *self._get_any.values()]:
            query.close()
        self.engine.dispose()

    def scoped(self, tenant: TenantScope) -> SqlModelStore:
        view = copy.copy(self)
        view._tenant = tenant if tenant is None else check_tenant(tenant)
        return view

    def scoped_jobs(self, tenant: TenantScope) -> SqlModelStore:
        return self.scoped(tenant)

    def _creating(self) -> str:
        """The tenant a record created in this view belongs to (none across tenants)."""
        return one_tenant(self._tenant, "creating a record")

    def check(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc
            raise Unavailable(
                f"database {self.engine.url.render_as_string(hide_password=True)} is not "
                f"reachable: {type(cause).__name__}: {cause}; check DATABASE_URL and that the "
                "server is running"
            ) from None

    @contextlib.contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._unavailable_on_failure(), self.engine.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with self._write_lock, self._unavailable_on_failure(), self.engine.connect() as conn:
            conn.execution_options(**WRITE)
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def _unavailable_on_failure(self) -> Iterator[None]:
        """A database that is down, unreachable or locked past the busy timeout is
        ``Unavailable`` (the pool drops a broken connection, so a retry reconnects)."""
        try:
            yield
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            cause = exc.orig or exc
            where = self.engine.url.render_as_string(hide_password=True)
            if "locked" in str(cause) or "busy" in str(cause):
                raise Unavailable(
                    f"the database {where} is locked by another writer; retry shortly",
                    retry_after=1,
                ) from None
            raise Unavailable(
                f"the database {where} failed: {type(cause).__name__}: "
                f"{str(cause).strip().splitlines()[0]}; check DATABASE_URL and that the server "
                "is running",
                retry_after=5,
            ) from None

    # avatars
    def create_avatar(self, avatar: Avatar) -> Avatar:
        avatar = replace(avatar, tenant=self._creating())
        self._insert(AVATARS, mapping.avatar_values(avatar), "avatar", avatar.avatar_id)
        return avatar

    def get_avatar(self, avatar_id: str) -> Avatar:
        return self._fetch("avatar", avatar_id, mapping.to_avatar)

    def list_avatars(self, *, limit: int = 50, cursor: str | None = None) -> Page[Avatar]:
        where = self._in_tenant(AVATARS)
        return self._page(AVATARS, "avatar_id", mapping.to_avatar, where, limit, cursor)

    def update_avatar(
        self,
        avatar_id: str,
        *,
        name: str | None = None,
        state: AvatarState | None = None,
        expected_version: int | None = None,
    ) -> Avatar:
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = name
        if state is not None:
            changes["state"] = state.to_dict()
        row = self._bump(AVATARS, "avatar_id", avatar_id, "avatar", changes, expected_version)
        return mapping.to_avatar(row)

    def delete_avatar(self, avatar_id: str) -> Deleted:
        tenant = one_tenant(self._tenant, "deleting an avatar")
        with self._write() as conn:
            one(conn, AVATARS, "avatar_id", avatar_id, "avatar", tenant)
            of_avatar = sa.and_(SESSIONS.c.tenant == tenant, SESSIONS.c.avatar_id == avatar_id)
            sessions = [
                r.session_id
                for r in conn.execute(
                    ordered(
                        sa.select(SESSIONS.c.session_id).where(of_avatar),
                        SESSIONS,
                        "session_id",
                        self._postgres,
                    )
                )
            ]
            owned_sessions = sa.select(SESSIONS.c.session_id).where(of_avatar)
            audios = self._take(
                conn,
                AUDIOS,
                "audio_id",
                mapping.to_audio,
                sa.and_(
                    AUDIOS.c.tenant == tenant,
                    sa.or_(
                        AUDIOS.c.avatar_id == avatar_id, AUDIOS.c.session_id.in_(owned_sessions)
                    ),
                ),
            )
            renders = self._take(
                conn,
                RENDERS,
                "render_id",
                mapping.to_render,
                sa.and_(
                    RENDERS.c.tenant == tenant,
                    sa.or_(
                        RENDERS.c.avatar_id == avatar_id, RENDERS.c.session_id.in_(owned_sessions)
                    ),
                ),
            )
            conn.execute(sa.delete(SESSIONS).where(of_avatar))
            conn.execute(
                sa.delete(AVATARS).where(
                    AVATARS.c.tenant == tenant, AVATARS.c.avatar_id == avatar_id
                )
            )
        return Deleted(audios, renders, tuple(sessions))

    # sessions
    def create_session(self, session: Session) -> Session:
        session = replace(session, tenant=self._creating())
        with self._write() as conn:
            self._insert_in(
                conn,
                SESSIONS,
                mapping.session_values(session),
                "session",
                session.session_id,
                owners=lambda: one(
                    conn, AVATARS, "avatar_id", session.avatar_id, "avatar", session.tenant
                ),
            )
        return mapping.to_session(mapping.session_values(session))

    def get_session(self, session_id: str) -> Session:
        return self._fetch("session", session_id, mapping.to_session)

    def list_sessions(
        self, *, avatar_id: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page[Session]:
        where = [SESSIONS.c.deleted_at.is_(None), *self._in_tenant(SESSIONS)]
        if avatar_id is not None:
            where.append(SESSIONS.c.avatar_id == avatar_id)
        return self._page(SESSIONS, "session_id", mapping.to_session, where, limit, cursor)

    def delete_session(self, session_id: str) -> Deleted:
        tenant = one_tenant(self._tenant, "deleting a session")
        with self._write() as conn:
            live_session(conn, tenant, session_id)
            audios = self._take(
                conn,
                AUDIOS,
                "audio_id",
                mapping.to_audio,
                sa.and_(AUDIOS.c.tenant == tenant, AUDIOS.c.session_id == session_id),
            )
            renders = self._take(
                conn,
                RENDERS,
                "render_id",
                mapping.to_render,
                sa.and_(RENDERS.c.tenant == tenant, RENDERS.c.session_id == session_id),
            )
            conn.execute(
                sa.update(SESSIONS)
                .where(SESSIONS.c.tenant == tenant, SESSIONS.c.session_id == session_id)
                .values(deleted_at=utcnow())
            )
        return Deleted(audios, renders, (session_id,))

    # presets
    def create_preset(self, preset: Preset) -> Preset:
        preset = replace(preset, tenant=self._creating())
        values = mapping.preset_values(preset)
        self._insert(PRESETS, values, "preset", preset.preset_id)
        return mapping.to_preset(values)

    def get_preset(self, preset_id: str) -> Preset:
        return self._fetch("preset", preset_id, mapping.to_preset)

    def list_presets(self, *, limit: int = 50, cursor: str | None = None) -> Page[Preset]:
        where = self._in_tenant(PRESETS)
        return self._page(PRESETS, "preset_id", mapping.to_preset, where, limit, cursor)

    def update_preset(
        self,
        preset_id: str,
        *,
        name: str | None = None,
        settings: dict[str, object] | None = None,
        expected_version: int | None = None,
    ) -> Preset:
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = name
        if settings is not None:
            changes["settings"] = dict(settings)
        row = self._bump(PRESETS, "preset_id", preset_id, "preset", changes, expected_version)
        return mapping.to_preset(row)

    def delete_preset(self, preset_id: str) -> None:
        self._delete_one(PRESETS, "preset_id", preset_id, "preset")

    # audio and render records
    def add_audio(self, record: AudioRecord) -> AudioRecord:
        record = replace(record, tenant=self._creating())
        with self._write() as conn:
            self._insert_in(
                conn,
                AUDIOS,
                mapping.audio_values(record),
                "audio",
                record.audio_id,
                owners=lambda: check_owners(
                    conn, record.tenant, record.avatar_id, record.session_id
                ),
            )
        return record

    def get_audio(self, audio_id: str) -> AudioRecord:
        return self._fetch("audio", audio_id, mapping.to_audio)

    def list_audios(
        self,
        *,
        avatar_id: str | None = None,
        session_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[AudioRecord]:
        where = [*self._in_tenant(AUDIOS), *owner_filters(AUDIOS, avatar_id, session_id)]
        return self._page(AUDIOS, "audio_id", mapping.to_audio, where, limit, cursor)

    def add_render(self, record: RenderRecord) -> RenderRecord:
        record = replace(record, tenant=self._creating())
        with self._write() as conn:
            self._insert_in(
                conn,
                RENDERS,
                mapping.render_values(record),
                "render",
                record.render_id,
                owners=lambda: check_owners(
                    conn, record.tenant, record.avatar_id, record.session_id
                ),
            )
        return record

    def get_render(self, render_id: str) -> RenderRecord:
        return self._fetch("render", render_id, mapping.to_render)

    def list_renders(
        self,
        *,
        avatar_id: str | None = None,
        session_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[RenderRecord]:
        where = [*self._in_tenant(RENDERS), *owner_filters(RENDERS, avatar_id, session_id)]
        return self._page(RENDERS, "render_id", mapping.to_render, where, limit, cursor)

    # record removal (``RecordRemover``, for ``avatar gc``)
    def delete_audio(self, audio_id: str) -> None:
        self._delete_one(AUDIOS, "audio_id", audio_id, "audio")

    def delete_render(self, render_id: str) -> None:
        self._delete_one(RENDERS, "render_id", render_id, "render")
