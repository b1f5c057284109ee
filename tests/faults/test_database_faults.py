"""Faults of the database: PostgreSQL going away (and coming back), SQLite locked by another
connection. The affected requests get a 503 problem, ``/ready`` says so, ``/health`` and
everything that needs no database keep serving, and the next request after recovery works."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from fault_kit import Build, TcpProxy, app_of
from litestar.testing import TestClient

from avatar_service.adapters.store.sqlmodel import engine as sql_engine

PROBLEM = "application/problem+json"


def _assert_503(response: object) -> None:
    assert response.status_code == 503, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_postgres_going_away_is_503_and_the_service_recovers_with_it(
    build: Build, proxied_postgres: tuple[str, TcpProxy]
) -> None:
    url, proxy = proxied_postgres
    with TestClient(app_of(build(database_url=url)), base_url="http://127.0.0.1") as client:
        assert client.post("/v1/avatars", json={"name": "before"}).status_code == 201
        proxy.stop()
        _assert_503(client.post("/v1/avatars", json={"name": "during"}))
        _assert_503(client.get("/v1/avatars"))
        ready = client.get("/ready")
        assert ready.status_code == 503
        store = {c["port"]: c for c in ready.json()["checks"]}["store"]
        assert not store["ok"] and "DATABASE_URL" in store["detail"]
        assert client.get("/health").status_code == 200
        assert client.post("/v1/lipsync/preview", json={"text": "no database"}).status_code == 200
        proxy.start()
        assert client.post("/v1/avatars", json={"name": "after"}).status_code == 201
        names = [a["name"] for a in client.get("/v1/avatars").json()["avatars"]]
        assert names == ["before", "after"]
        assert client.get("/ready").status_code == 200


def test_sqlite_locked_by_another_connection_is_503_after_the_busy_timeout(
    build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql_engine, "BUSY_TIMEOUT_MS", 300)  # the default waits 30 s
    with TestClient(app_of(build()), base_url="http://127.0.0.1") as client:
        assert client.post("/v1/avatars", json={"name": "before"}).status_code == 201
        holder = sqlite3.connect(tmp_path / "avatar.db", isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            started = time.monotonic()
            locked = client.post("/v1/avatars", json={"name": "during"})
            _assert_503(locked)
            assert "locked" in locked.json()["detail"]
            assert time.monotonic() - started < 10
            assert client.get("/health").status_code == 200
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert client.post("/v1/avatars", json={"name": "after"}).status_code == 201
        names = [a["name"] for a in client.get("/v1/avatars").json()["avatars"]]
        assert names == ["before", "after"]
