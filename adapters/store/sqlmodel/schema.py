"""The database schema's Alembic revision: where it is, where the code needs it, moving it.

The migrations live in ``migrations/`` beside this module; no ``alembic.ini`` is needed (the
``Config`` is built here). ``prepare`` is the start-up check: upgrade a stale schema when
allowed, else refuse with the command that fixes it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from avatar_service.core.errors import Invalid, Unavailable

MIGRATIONS = Path(__file__).parent / "migrations"
UPGRADE_COMMAND = "avatar db upgrade"


def alembic_config(engine: sa.Engine) -> Config:
    """A Config whose ``env.py`` runs on ``engine`` (passed through ``attributes``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None, "the migrations have no head"
    return head


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at (``None``: no schema yet)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@dataclass(frozen=True, slots=True)
class Revision:
    revision: str
    down_revision: str | None
    message: str
    is_head: bool


def history() -> list[Revision]:
    """Every migration, newest first."""
    script = ScriptDirectory(str(MIGRATIONS))
    heads = set(script.get_heads())
    return [
        Revision(
            s.revision,
            s.down_revision if isinstance(s.down_revision, str) else None,
            s.doc or "",
            s.revision in heads,
        )
        for s in script.walk_revisions()
    ]


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    _run(lambda config: command.upgrade(config, revision), engine, revision)


def downgrade(engine: sa.Engine, revision: str) -> None:
    _run(lambda config: command.downgrade(config, revision), engine, revision)


_ALEMBIC = threading.Lock()
"""Alembic's ``context`` is process-global: one command at a time in this process (the
migration itself also locks the database against other processes, see ``migrations/env.py``)."""


def _run(action: Callable[[Config], None], engine: sa.Engine, revision: str) -> None:
    try:
        with _ALEMBIC:
            action(alembic_config(engine))
    except CommandError as exc:
        raise Invalid(f"cannot migrate to {revision!r}: {exc}", field="revision") from None


def prepare(engine: sa.Engine, *, upgrade_allowed: bool) -> str:
    """Make sure the schema is at head and return it: upgrade when allowed, else raise
    ``Unavailable`` naming the command to run."""
    head, current = head_revision(), current_revision(engine)
    if current == head:
        return head
    if not upgrade_allowed:
        raise Unavailable(
            f"the database schema is at revision {current or 'none (empty database)'}, this "
            f"version needs {head}; run `{UPGRADE_COMMAND}` (AVATAR_ENV=production never "
            "migrates on start)"
        )
    upgrade(engine)
    return head
