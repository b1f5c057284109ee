"""Throwaway PostgreSQL databases for adapter tests.

``postgres_url`` creates a database with a unique name on the server named by
``AVATAR_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``) and
drops it afterwards. No server: the test is skipped with the reason, except under ``CI=true``
where it fails (CI must test PostgreSQL, never skip it silently).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import NoReturn

import pytest
from support import unavailable

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str:
    return os.environ.get("AVATAR_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


def _unavailable(reason: str) -> NoReturn:
    unavailable(f"no PostgreSQL for this test: {reason} (set AVATAR_TEST_POSTGRES_URL)")


@pytest.fixture(scope="session")
def make_postgres_database() -> Iterator[Callable[[], str]]:
    """``make()`` -> the URL of a new empty database; all are dropped at the end."""
    try:
        import psycopg
    except ImportError:
        _unavailable("psycopg is not installed")
    admin = postgres_admin_url()
    created: list[str] = []

    def make() -> str:
        name = f"avatar_test_{uuid.uuid4().hex[:12]}"
        try:
            with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.OperationalError as exc:
            _unavailable(f"{admin} is unreachable ({str(exc).strip().splitlines()[0]})")
        created.append(name)
        base, _, _ = admin.rpartition("/")
        return f"{base}/{name}"

    yield make
    if created:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            for name in created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def postgres_url(make_postgres_database: Callable[[], str]) -> str:
    """A fresh PostgreSQL database for this test module."""
    return make_postgres_database()
