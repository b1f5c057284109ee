"""The Alembic migrations build exactly the tables the models describe, go down and up again,
and the start-up check upgrades in development and refuses in production."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from avatar_service.adapters.store.sqlmodel import schema
from avatar_service.adapters.store.sqlmodel.engine import create_engine
from avatar_service.adapters.store.sqlmodel.tables import METADATA, TABLES
from avatar_service.core.errors import Invalid, Unavailable


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    else:
        url = request.getfixturevalue("make_postgres_database")()
    engine = create_engine(url)
    yield engine
    engine.dispose()


def _differences(engine: sa.Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, METADATA))


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_models_and_migrations_agree(engine: sa.Engine) -> None:
    schema.upgrade(engine)
    assert _differences(engine) == []


def test_empty_to_head_to_base_to_head(engine: sa.Engine) -> None:
    assert schema.current_revision(engine) is None
    schema.upgrade(engine)
    assert schema.current_revision(engine) == schema.head_revision()
    assert _tables(engine) == set(TABLES)
    schema.downgrade(engine, "base")
    assert schema.current_revision(engine) is None
    assert _tables(engine) == set()
    schema.upgrade(engine)
    assert _tables(engine) == set(TABLES)
    assert _differences(engine) == []


def test_production_refuses_a_stale_schema_naming_the_command(engine: sa.Engine) -> None:
    with pytest.raises(Unavailable, match="avatar db upgrade"):
        schema.prepare(engine, upgrade_allowed=False)
    assert _tables(engine) == set(), "production must not migrate on start"


def test_development_upgrades_a_stale_schema_on_start(engine: sa.Engine) -> None:
    assert schema.prepare(engine, upgrade_allowed=True) == schema.head_revision()
    assert schema.prepare(engine, upgrade_allowed=False) == schema.head_revision()


def test_an_unknown_revision_is_invalid(engine: sa.Engine) -> None:
    with pytest.raises(Invalid, match="nope"):
        schema.upgrade(engine, "nope")


def test_history_lists_the_head_first() -> None:
    revisions = schema.history()
    assert revisions[0].is_head
    assert revisions[0].revision == schema.head_revision()
    assert revisions[-1].down_revision is None


RACER = """
import sys
from avatar_service.adapters.store.sqlmodel import schema
from avatar_service.adapters.store.sqlmodel.engine import create_engine
print(schema.prepare(create_engine(sys.argv[1]), upgrade_allowed=True))
"""


def test_replicas_upgrading_an_empty_database_at_once_do_not_race(engine: sa.Engine) -> None:
    """Three processes start together on an empty database; each ends at head."""
    url = engine.url.render_as_string(hide_password=False)
    racers = [
        subprocess.Popen([sys.executable, "-c", RACER, url], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [racer.communicate(timeout=120)[0].strip() for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0, 0]
    assert outputs == [schema.head_revision()] * 3
    assert _differences(engine) == []


def test_threads_upgrading_at_once_do_not_race(engine: sa.Engine) -> None:
    engines = [create_engine(engine.url.render_as_string(hide_password=False)) for _ in range(3)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        heads = list(pool.map(lambda e: schema.prepare(e, upgrade_allowed=True), engines))
    assert heads == [schema.head_revision()] * 3
    for replica in engines:
        replica.dispose()
