"""tenants: every record belongs to one; existing data to the default tenant

Avatar, session and preset ids become unique per tenant, so the tables that name them are
rebuilt with ``(tenant, id)`` keys (a new table, the rows copied, the old one dropped, the new
one renamed: the same steps on SQLite and PostgreSQL). Jobs and API keys gain the column.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

TIMESTAMP = sa.DateTime(timezone=True)
DEFAULT_TENANT = "default"

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

ORDER = ("avatars", "presets", "sessions", "audios", "renders")
"""Owners first: the order rows are copied in (and the reverse: the order tables are dropped)."""
COLUMNS = {
    "avatars": ("avatar_id", "name", "state", "version", "created_at", "updated_at"),
    "presets": ("preset_id", "name", "settings", "version", "created_at", "updated_at"),
    "sessions": ("session_id", "avatar_id", "metadata", "created_at", "deleted_at"),
    "audios": (
        "audio_id",
        "avatar_id",
        "session_id",
        "text",
        "voice_id",
        "duration",
        "sample_rate",
        "blob_name",
        "created_at",
    ),
    "renders": (
        "render_id",
        "avatar_id",
        "session_id",
        "kind",
        "width",
        "height",
        "format",
        "blob_name",
        "duration",
        "fps",
        "frames",
        "created_at",
    ),
}


def _columns(table: str) -> list[sa.Column[object]]:
    """The columns of ``table`` after the id and before any tenant (the same in both shapes)."""
    id64 = sa.String(length=64)
    common: dict[str, Callable[[], list[sa.Column[object]]]] = {
        "avatars": lambda: [
            sa.Column("avatar_id", id64, nullable=False),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("state", sa.JSON(), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("created_at", TIMESTAMP, nullable=False),
            sa.Column("updated_at", TIMESTAMP, nullable=False),
        ],
        "presets": lambda: [
            sa.Column("preset_id", id64, nullable=False),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("settings", sa.JSON(), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("created_at", TIMESTAMP, nullable=False),
            sa.Column("updated_at", TIMESTAMP, nullable=False),
        ],
        "sessions": lambda: [
            sa.Column("session_id", id64, nullable=False),
            sa.Column("avatar_id", id64, nullable=False),
            sa.Column("metadata", sa.JSON(), nullable=False),
            sa.Column("created_at", TIMESTAMP, nullable=False),
            sa.Column("deleted_at", TIMESTAMP, nullable=True),
        ],
        "audios": lambda: [
            sa.Column("audio_id", id64, nullable=False),
            sa.Column("avatar_id", id64, nullable=True),
            sa.Column("session_id", id64, nullable=True),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("voice_id", sa.String(length=200), nullable=False),
            sa.Column("duration", sa.Float(), nullable=False),
            sa.Column("sample_rate", sa.Integer(), nullable=False),
            sa.Column("blob_name", sa.String(length=255), nullable=False),
            sa.Column("created_at", TIMESTAMP, nullable=False),
        ],
        "renders": lambda: [
            sa.Column("render_id", id64, nullable=False),
            sa.Column("avatar_id", id64, nullable=True),
            sa.Column("session_id", id64, nullable=True),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("width", sa.Integer(), nullable=False),
            sa.Column("height", sa.Integer(), nullable=False),
            sa.Column("format", sa.String(length=16), nullable=False),
            sa.Column("blob_name", sa.String(length=255), nullable=False),
            sa.Column("duration", sa.Float(), nullable=True),
            sa.Column("fps", sa.Integer(), nullable=True),
            sa.Column("frames", sa.Integer(), nullable=True),
            sa.Column("created_at", TIMESTAMP, nullable=False),
        ],
    }
    return common[table]()


def _tenant_shape(table: str, name: str) -> None:
    """Create ``name`` with ``table``'s columns, a tenant, and per-tenant keys."""
    constraints: list[sa.Constraint] = [sa.PrimaryKeyConstraint("id")]
    owner = f"{table[:-1]}_id"

    def owned_by(target: str, column: str) -> sa.ForeignKeyConstraint:
        return sa.ForeignKeyConstraint(
            ["tenant", column], [f"{target}.tenant", f"{target}.{column}"], ondelete="CASCADE"
        )

    if table in ("avatars", "presets", "sessions"):
        constraints.append(sa.UniqueConstraint("tenant", owner, name=f"uq_{table}_tenant_{owner}"))
    else:
        constraints.append(sa.UniqueConstraint(owner, name=f"uq_{table}_{owner}"))
    if table == "sessions":
        constraints.append(owned_by("avatars_new", "avatar_id"))
    if table in ("audios", "renders"):
        constraints += [
            owned_by("avatars_new", "avatar_id"),
            owned_by("sessions_new", "session_id"),
        ]
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        *_columns(table),
        *constraints,
    )


def _tenant_indexes(table: str) -> None:
    owner = f"{table[:-1]}_id"
    op.create_index(f"ix_{table}_tenant_created", table, ["tenant", "created_at", owner])
    if table in ("sessions", "audios", "renders"):
        op.create_index(
            f"ix_{table}_tenant_avatar_created", table, ["tenant", "avatar_id", "created_at", owner]
        )
    if table in ("audios", "renders"):
        op.create_index(
            f"ix_{table}_tenant_session_created",
            table,
            ["tenant", "session_id", "created_at", owner],
        )


def _drop_global_uniques() -> None:
    """PostgreSQL names a unique constraint's index in the schema: free the names of the
    audio and render id constraints before the rebuilt tables take them."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("audios", "renders"):
        op.drop_constraint(f"uq_{table}_{table[:-1]}_id", table, type_="unique")


def upgrade() -> None:
    _drop_global_uniques()
    for table in ORDER:
        _tenant_shape(table, f"{table}_new")
        columns = ", ".join(COLUMNS[table])
        op.execute(
            f"INSERT INTO {table}_new (id, tenant, {columns}) "
            f"SELECT id, '{DEFAULT_TENANT}', {columns} FROM {table}"
        )
    for table in reversed(ORDER):
        op.drop_table(table)
    for table in ORDER:
        op.rename_table(f"{table}_new", table)
        _tenant_indexes(table)
    _reset_id_sequences()
    for table in ("jobs", "api_keys"):
        op.add_column(
            table,
            sa.Column(
                "tenant", sa.String(length=64), nullable=False, server_default=DEFAULT_TENANT
            ),
        )
    op.create_index(
        "ix_jobs_tenant_status_created", "jobs", ["tenant", "status", "created_at", "job_id"]
    )


def _reset_id_sequences() -> None:
    """PostgreSQL: the copied ids came from the old tables' sequences; move each new
    sequence past them."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ORDER:
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


def downgrade() -> None:
    bind = op.get_bind()
    for table in ORDER:
        others = bind.execute(
            sa.text(f"SELECT COUNT(*) FROM {table} WHERE tenant <> :tenant"),
            {"tenant": DEFAULT_TENANT},
        ).scalar()
        if others:
            raise RuntimeError(
                f"{table} holds records of tenants other than {DEFAULT_TENANT!r}; before 0004 "
                "there are no tenants: export and remove them first"
            )
    op.drop_index("ix_jobs_tenant_status_created", table_name="jobs")
    for table in ("api_keys", "jobs"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("tenant")
    _drop_global_uniques()
    for table in ORDER:
        _single_shape(table, f"{table}_old")
        columns = ", ".join(COLUMNS[table])
        op.execute(f"INSERT INTO {table}_old (id, {columns}) SELECT id, {columns} FROM {table}")
    for table in reversed(ORDER):
        op.drop_table(table)
    for table in ORDER:
        op.rename_table(f"{table}_old", table)
        _single_indexes(table)
    _reset_id_sequences()


def _single_shape(table: str, name: str) -> None:
    """The 0001 shape of ``table`` (ids unique overall), under ``name``."""
    owner = f"{table[:-1]}_id"
    constraints: list[sa.Constraint] = [
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(owner, name=f"uq_{table}_{owner}"),
    ]
    if table != "avatars" and table != "presets":
        constraints.append(
            sa.ForeignKeyConstraint(["avatar_id"], ["avatars_old.avatar_id"], ondelete="CASCADE")
        )
    if table in ("audios", "renders"):
        constraints.append(
            sa.ForeignKeyConstraint(["session_id"], ["sessions_old.session_id"], ondelete="CASCADE")
        )
    op.create_table(
        name, sa.Column("id", sa.Integer(), nullable=False), *_columns(table), *constraints
    )


def _single_indexes(table: str) -> None:
    owner = f"{table[:-1]}_id"
    op.create_index(f"ix_{table}_created", table, ["created_at", owner])
    if table in ("sessions", "audios", "renders"):
        op.create_index(f"ix_{table}_avatar_created", table, ["avatar_id", "created_at", owner])
    if table in ("audios", "renders"):
        op.create_index(f"ix_{table}_session_created", table, ["session_id", "created_at", owner])
