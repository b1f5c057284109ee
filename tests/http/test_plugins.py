"""The plugin listing: plugins, their registrations and hooks, the adapters selected, and
the typed options of each adapter (secrets masked)."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient
from pydantic import BaseModel, Field
from support import MEMORY, MOCK, MOCK_ADAPTERS

from avatar_service.adapters.tts.mock import MockSynthesizer
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins import Register, hookimpl
from avatar_service.plugins.manager import make_plugin_manager


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


class ToneOptions(BaseModel):
    volume: float = Field(0.5, ge=0, le=1)
    api_token: str = ""  # masked for its name


class TonePlugin:
    @hookimpl
    def avatar_register_synthesizers(self, register: Register) -> None:
        register("tone", lambda options: MockSynthesizer(), options=ToneOptions)


def test_plugins_lists_each_adapters_typed_options_with_secrets_masked() -> None:
    manager = make_plugin_manager(load_entrypoints=False)
    manager.register(TonePlugin(), name="tone-plugin")
    options = {"tone": {"volume": 0.25, "api_token": "tone-token-4242"}}
    settings = Settings(**{**MOCK_ADAPTERS, "tts": "tone"}, options=options, _env_file=None)
    app = create_app(bootstrap(settings, plugin_manager=manager))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        response = client.get("/v1/plugins")
    assert response.status_code == 200
    assert "tone-token-4242" not in response.text
    plugin = {p["name"]: p for p in response.json()["plugins"]}["tone-plugin"]
    assert plugin["options"] == [
        {
            "port": "tts",
            "adapter": "tone",
            "name": "volume",
            "env": "AVATAR_OPTIONS__TONE__VOLUME",
            "type": "float",
            "required": False,
            "default": 0.5,
            "value": 0.25,
            "problem": None,
        },
        {
            "port": "tts",
            "adapter": "tone",
            "name": "api_token",
            "env": "AVATAR_OPTIONS__TONE__API_TOKEN",
            "type": "str",
            "required": False,
            "default": "",
            "value": "**********",
            "problem": None,
        },
    ]
