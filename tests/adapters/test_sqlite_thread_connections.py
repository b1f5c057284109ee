"""Per-thread SQLite read connections must not hold the pool's slots: a server's worker
threads come and go, and slots kept by threads that are gone starve every later checkout (the
whole service then waits on the pool)."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import sqlalchemy as sa

from avatar_service.adapters.store.sqlmodel.factory import open_store
from avatar_service.core.errors import NotFound


def test_threads_that_read_and_exit_leave_the_pool_free(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'avatar.db'}", pool_size=2)
    try:

        def read() -> None:
            with contextlib.suppress(NotFound):
                store.get_preset("nope")

        for _ in range(40):  # more threads than the pool has slots, overflow included
            thread = threading.Thread(target=read, daemon=True)
            thread.start()
            thread.join(timeout=5)
            assert not thread.is_alive(), "a read waited for a pool slot held by a gone thread"
        assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        with store.engine.connect() as conn:  # would wait for the pool's timeout when starved
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        store.close()
