"""An unreachable Redis is a 503-style ``Unavailable`` naming the settings that set it."""

from __future__ import annotations

import socket

import pytest

from avatar_service.adapters.jobs.dramatiq_queue import DramatiqJobQueue
from avatar_service.core.errors import Unavailable


def test_an_unreachable_redis_names_the_real_setting() -> None:
    with socket.socket() as closed:  # a loopback port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    queue = DramatiqJobQueue(f"redis://127.0.0.1:{port}/0")
    try:
        with pytest.raises(Unavailable) as caught:
            queue.check()
    finally:
        queue.close()
    assert "REDIS_URL (or AVATAR_REDIS_URL)" in caught.value.message
    assert "AVATAR_JOB__" not in caught.value.message
