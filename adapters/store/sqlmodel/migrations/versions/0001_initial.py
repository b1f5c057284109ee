"""initial schema: avatars, sessions, presets, audios, renders

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

TIMESTAMP = sa.DateTime(timezone=True)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "avatars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("avatar_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("avatar_id", name="uq_avatars_avatar_id"),
    )
    op.create_index("ix_avatars_created", "avatars", ["created_at", "avatar_id"], unique=False)

    op.create_table(
        "presets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("preset_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("preset_id", name="uq_presets_preset_id"),
    )
    op.create_index("ix_presets_created", "presets", ["created_at", "preset_id"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("avatar_id", sa.String(length=64), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("deleted_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["avatar_id"], ["avatars.avatar_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", name="uq_sessions_session_id"),
    )
    op.create_index(
        "ix_sessions_avatar_created",
        "sessions",
        ["avatar_id", "created_at", "session_id"],
        unique=False,
    )
    op.create_index("ix_sessions_created", "sessions", ["created_at", "session_id"], unique=False)

    op.create_table(
        "audios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audio_id", sa.String(length=64), nullable=False),
        sa.Column("avatar_id", sa.String(length=64), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("voice_id", sa.String(length=200), nullable=False),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.Column("sample_rate", sa.Integer(), nullable=False),
        sa.Column("blob_name", sa.String(length=255), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["avatar_id"], ["avatars.avatar_id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.session_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("audio_id", name="uq_audios_audio_id"),
    )
    op.create_index(
        "ix_audios_avatar_created", "audios", ["avatar_id", "created_at", "audio_id"], unique=False
    )
    op.create_index("ix_audios_created", "audios", ["created_at", "audio_id"], unique=False)
    op.create_index(
        "ix_audios_session_created",
        "audios",
        ["session_id", "created_at", "audio_id"],
        unique=False,
    )

    op.create_table(
        "renders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("render_id", sa.String(length=64), nullable=False),
        sa.Column("avatar_id", sa.String(length=64), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("blob_name", sa.String(length=255), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("fps", sa.Integer(), nullable=True),
        sa.Column("frames", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["avatar_id"], ["avatars.avatar_id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.session_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("render_id", name="uq_renders_render_id"),
    )
    op.create_index(
        "ix_renders_avatar_created",
        "renders",
        ["avatar_id", "created_at", "render_id"],
        unique=False,
    )
    op.create_index("ix_renders_created", "renders", ["created_at", "render_id"], unique=False)
    op.create_index(
        "ix_renders_session_created",
        "renders",
        ["session_id", "created_at", "render_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_renders_session_created", table_name="renders")
    op.drop_index("ix_renders_created", table_name="renders")
    op.drop_index("ix_renders_avatar_created", table_name="renders")

    op.drop_table("renders")
    op.drop_index("ix_audios_session_created", table_name="audios")
    op.drop_index("ix_audios_created", table_name="audios")
    op.drop_index("ix_audios_avatar_created", table_name="audios")

    op.drop_table("audios")
    op.drop_index("ix_sessions_created", table_name="sessions")
    op.drop_index("ix_sessions_avatar_created", table_name="sessions")

    op.drop_table("sessions")
    op.drop_index("ix_presets_created", table_name="presets")

    op.drop_table("presets")
    op.drop_index("ix_avatars_created", table_name="avatars")

    op.drop_table("avatars")
