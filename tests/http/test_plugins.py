"""The plugin listing."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient
from support import MEMORY, MOCK, MOCK_ADAPTERS


def test_plugins_lists_the_builtin_plugin_and_its_registrations(
    client: TestClient[Litestar],
) -> None:
    response = client.get("/v1/plugins")
    assert response.status_code == 200
    body = response.json()
    builtin = next(p for p in body["plugins"] if p["name"] == "avatar_service.builtin")
    assert body["plugins"][0] is builtin or body["plugins"][0]["name"] == builtin["name"]
    assert "avatar_register_synthesizers" in builtin["hooks"]
    assert MOCK in builtin["registered"]["tts"]
    assert MEMORY in builtin["registered"]["store"]
    assert body["adapters"] == {**MOCK_ADAPTERS, "jobs": "embedded", "webhooks": "urllib"}
