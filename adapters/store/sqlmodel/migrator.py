"""The schema migrations of one database, for the ``avatar db`` commands: its revision, the
head this version needs, the history, and moving the schema up or down."""

from __future__ import annotations

from typing import TYPE_CHECKING

from avatar_service.adapters.store.sqlmodel import schema
from avatar_service.adapters.store.sqlmodel.engine import create_engine

if TYPE_CHECKING:
    import sqlalchemy as sa

    from avatar_service.adapters.store.sqlmodel.schema import Revision


class SchemaMigrator:
    """Migrations of the database at ``url`` (its schema is not checked: this moves it); the
    engine is made on first use and released by ``close``. Without ``url`` only ``head`` and
    ``history`` answer."""

    def __init__(self, url: str | None) -> None:
        self._url = url
        self._engine: sa.Engine | None = None

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            assert self._url is not None, "a database URL is needed"
            self._engine = create_engine(self._url)
        return self._engine

    def current(self) -> str | None:
        """The revision the database is at (``None``: no schema yet)."""
        return schema.current_revision(self.engine)

    def head(self) -> str:
        return schema.head_revision()

    def history(self) -> list[Revision]:
        """Every migration, newest first."""
        return schema.history()

    def upgrade(self, revision: str = "head") -> None:
        schema.upgrade(self.engine, revision)

    def downgrade(self, revision: str) -> None:
        schema.downgrade(self.engine, revision)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
