"""The SQL tables (SQLModel). Separate types from the core's records; ``mapping`` converts.

Every table has a surrogate integer key and an external id, and every record a ``tenant``.
Avatar, session and preset ids are unique per tenant, so the records that name an avatar or a
session refer to it by ``(tenant, id)``; audio, render, job and key ids are unique overall.
Listings order by ``(created_at, <external id>)`` within a tenant and filter by owner, so each
of those has an index. Timestamps are timezone-aware UTC (``UTCDateTime``); dicts are JSON
columns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

ID_LENGTH = 64
"""External ids are at most 64 characters (``core.records.check_external_id``)."""
TENANT_LENGTH = 64
"""Tenant names are at most 64 characters (``core.tenancy.check_tenant``)."""


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on every database.

    PostgreSQL keeps ``timestamptz``; SQLite has no zone, so values are stored as naive UTC
    (fixed-width text, which sorts in time order) and come back with ``tzinfo=UTC``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        utc = aware.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _id_column() -> Any:
    return Field(sa_column=sa.Column(sa.String(ID_LENGTH), nullable=False))


def _time(nullable: bool = False) -> Any:
    return Field(sa_column=sa.Column(UTCDateTime(), nullable=nullable))


def _json() -> Any:
    return Field(sa_column=sa.Column(sa.JSON(), nullable=False))


def _tenant() -> Any:
    return Field(sa_column=sa.Column(sa.String(TENANT_LENGTH), nullable=False))


def _owner_id(nullable: bool = True) -> Any:
    """An avatar or session id; its foreign key is ``(tenant, id)`` in ``__table_args__``."""
    return Field(sa_column=sa.Column(sa.String(ID_LENGTH), nullable=nullable))


def _owned_by(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant", column], [f"{table}.tenant", f"{table}.{column}"], ondelete="CASCADE"
    )


def _owner(target: str, nullable: bool = True) -> Any:
    return Field(
        sa_column=sa.Column(
            sa.String(ID_LENGTH), sa.ForeignKey(target, ondelete="CASCADE"), nullable=nullable
        )
    )


class AvatarRow(SQLModel, table=True):
    __tablename__ = "avatars"
    __table_args__ = (
        sa.UniqueConstraint("tenant", "avatar_id", name="uq_avatars_tenant_avatar_id"),
        sa.Index("ix_avatars_tenant_created", "tenant", "created_at", "avatar_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant: str = _tenant()
    avatar_id: str = _id_column()
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    state: dict[str, Any] = _json()
    version: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    created_at: datetime = _time()
    updated_at: datetime = _time()


class SessionRow(SQLModel, table=True):
    __tablename__ = "sessions"
    __table_args__ = (
        sa.UniqueConstraint("tenant", "session_id", name="uq_sessions_tenant_session_id"),
        _owned_by("avatars", "avatar_id"),
        sa.Index("ix_sessions_tenant_created", "tenant", "created_at", "session_id"),
        sa.Index(
            "ix_sessions_tenant_avatar_created", "tenant", "avatar_id", "created_at", "session_id"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant: str = _tenant()
    session_id: str = _id_column()
    avatar_id: str = _owner_id(nullable=False)
    metadata_: dict[str, Any] = Field(sa_column=sa.Column("metadata", sa.JSON(), nullable=False))
    created_at: datetime = _time()
    deleted_at: datetime | None = _time(nullable=True)


class PresetRow(SQLModel, table=True):
    __tablename__ = "presets"
    __table_args__ = (
        sa.UniqueConstraint("tenant", "preset_id", name="uq_presets_tenant_preset_id"),
        sa.Index("ix_presets_tenant_created", "tenant", "created_at", "preset_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant: str = _tenant()
    preset_id: str = _id_column()
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    settings: dict[str, Any] = _json()
    version: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    created_at: datetime = _time()
    updated_at: datetime = _time()


class AudioRow(SQLModel, table=True):
    __tablename__ = "audios"
    __table_args__ = (
        sa.UniqueConstraint("audio_id", name="uq_audios_audio_id"),
        _owned_by("avatars", "avatar_id"),
        _owned_by("sessions", "session_id"),
        sa.Index("ix_audios_tenant_created", "tenant", "created_at", "audio_id"),
        sa.Index(
            "ix_audios_tenant_avatar_created", "tenant", "avatar_id", "created_at", "audio_id"
        ),
        sa.Index(
            "ix_audios_tenant_session_created", "tenant", "session_id", "created_at", "audio_id"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant: str = _tenant()
    audio_id: str = _id_column()
    avatar_id: str | None = _owner_id()
    session_id: str | None = _owner_id()
    text: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    voice_id: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    duration: float = Field(sa_column=sa.Column(sa.Float(), nullable=False))
    sample_rate: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    blob_name: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    created_at: datetime = _time()


class RenderRow(SQLModel, table=True):
    __tablename__ = "renders"
    __table_args__ = (
        sa.UniqueConstraint("render_id", name="uq_renders_render_id"),
        _owned_by("avatars", "avatar_id"),
        _owned_by("sessions", "session_id"),
        sa.Index("ix_renders_tenant_created", "tenant", "created_at", "render_id"),
        sa.Index(
            "ix_renders_tenant_avatar_created", "tenant", "avatar_id", "created_at", "render_id"
        ),
        sa.Index(
            "ix_renders_tenant_session_created", "tenant", "session_id", "created_at", "render_id"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant: str = _tenant()
    render_id: str = _id_column()
    avatar_id: str | None = _owner_id()
    session_id: str | None = _owner_id()
    kind: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    width: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    height: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    format: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    blob_name: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    duration: float | None = Field(sa_column=sa.Column(sa.Float(), nullable=True))
    fps: int | None = Field(sa_column=sa.Column(sa.Integer(), nullable=True))
    frames: int | None = Field(sa_column=sa.Column(sa.Integer(), nullable=True))
    created_at: datetime = _time()


class JobRow(SQLModel, table=True):
    """An asynchronous render job; ``avatar_id`` is a plain copy (a job outlives its avatar)."""

    __tablename__ = "jobs"
    __table_args__ = (
        sa.UniqueConstraint("job_id", name="uq_jobs_job_id"),
        sa.Index("ix_jobs_created", "created_at", "job_id"),
        sa.Index("ix_jobs_status_created", "status", "created_at", "job_id"),
        sa.Index("ix_jobs_avatar_created", "avatar_id", "created_at", "job_id"),
        sa.Index("ix_jobs_tenant_status_created", "tenant", "status", "created_at", "job_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant: str = _tenant()
    job_id: str = _id_column()
    kind: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    status: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    request: dict[str, Any] = _json()
    avatar_id: str | None = Field(sa_column=sa.Column(sa.String(ID_LENGTH), nullable=True))
    progress: float = Field(sa_column=sa.Column(sa.Float(), nullable=False))
    result: dict[str, Any] | None = Field(sa_column=sa.Column(sa.JSON(), nullable=True))
    error: dict[str, Any] | None = Field(sa_column=sa.Column(sa.JSON(), nullable=True))
    webhook_url: str | None = Field(sa_column=sa.Column(sa.String(2048), nullable=True))
    webhook_status: str | None = Field(sa_column=sa.Column(sa.String(16), nullable=True))
    attempts: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    lease_owner: str | None = Field(sa_column=sa.Column(sa.String(128), nullable=True))
    lease_expires_at: datetime | None = _time(nullable=True)
    version: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    created_at: datetime = _time()
    updated_at: datetime = _time()
    started_at: datetime | None = _time(nullable=True)
    finished_at: datetime | None = _time(nullable=True)


class WebhookDeliveryRow(SQLModel, table=True):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.Index("ix_webhook_deliveries_job", "job_id", "attempt"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = _owner("jobs.job_id", nullable=False)
    attempt: int = Field(sa_column=sa.Column(sa.Integer(), nullable=False))
    url: str = Field(sa_column=sa.Column(sa.String(2048), nullable=False))
    status_code: int | None = Field(sa_column=sa.Column(sa.Integer(), nullable=True))
    error: str | None = Field(sa_column=sa.Column(sa.Text(), nullable=True))
    duration: float = Field(sa_column=sa.Column(sa.Float(), nullable=False))
    created_at: datetime = _time()


class ApiKeyRow(SQLModel, table=True):
    """An API key without its secret: a salted HMAC-SHA256 of it (``core.auth``)."""

    __tablename__ = "api_keys"
    __table_args__ = (
        sa.UniqueConstraint("key_id", name="uq_api_keys_key_id"),
        sa.Index("ix_api_keys_created", "created_at", "key_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key_id: str = _id_column()
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    scope: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    salt: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    secret_hash: str = Field(sa_column=sa.Column(sa.String(128), nullable=False))
    created_at: datetime = _time()
    revoked_at: datetime | None = _time(nullable=True)
    tenant: str = _tenant()


METADATA = SQLModel.metadata
"""Every table above (and nothing else: the store only ever defines these)."""

TABLES: dict[str, sa.Table] = {
    "avatars": AvatarRow.__table__,  # type: ignore[attr-defined]
    "sessions": SessionRow.__table__,  # type: ignore[attr-defined]
    "presets": PresetRow.__table__,  # type: ignore[attr-defined]
    "audios": AudioRow.__table__,  # type: ignore[attr-defined]
    "renders": RenderRow.__table__,  # type: ignore[attr-defined]
    "jobs": JobRow.__table__,  # type: ignore[attr-defined]
    "webhook_deliveries": WebhookDeliveryRow.__table__,  # type: ignore[attr-defined]
    "api_keys": ApiKeyRow.__table__,  # type: ignore[attr-defined]
}
"""Tables by name, in dependency order (owners first): the order to create and to import."""
