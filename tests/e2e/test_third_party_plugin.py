"""A separately installed plugin distribution is found, selectable by settings, passes the
synthesizer contract, and shows up in ``avatar plugins`` and ``GET /v1/plugins``."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from typing import Any

import pytest

from avatar_service.contracts.synthesizer import SpeechSynthesizerContract
from avatar_service.core.usecases.speech import SpeechRequest
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import build_registry, describe_plugins, make_plugin_manager


def test_plugin_is_found_through_the_entry_point_group(sine_plugin_installed: str) -> None:
    group = importlib.metadata.entry_points(group="avatar_service")
    assert "sine" in {ep.name for ep in group}
    pm = make_plugin_manager()
    registry = build_registry(pm)
    assert "sine" in registry.names("tts")
    info = {p.name: p for p in describe_plugins(pm, registry)}["sine"]
    assert info.distribution == "avatar-sine-voice"
    assert info.version == sine_plugin_installed
    assert info.registered == {"tts": ["sine"]}


def test_plugins_can_be_blocked_by_environment(
    sine_plugin_installed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVATAR_DISABLE_PLUGINS", "1")
    assert "sine" not in build_registry(make_plugin_manager()).names("tts")


def test_settings_select_the_plugin_and_pass_it_options(sine_plugin_installed: str) -> None:
    settings = Settings(tts="sine", options={"sine": {"frequency": "330"}})
    container = bootstrap(settings)
    assert type(container.adapters.synthesizer).__name__ == "SineSynthesizer"
    speech = container.speech.timed_speech(SpeechRequest("hello there"))
    assert speech.speech.voice_id == "sine"
    assert speech.visemes["oculus"][-1].end == pytest.approx(speech.speech.duration)


def test_cli_lists_the_plugin_with_what_it_registered(sine_plugin_installed: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "avatar_service.entrypoints.cli", "plugins", "--json"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    plugins: list[dict[str, Any]] = json.loads(out.stdout)["plugins"]
    by_name = {p["name"]: p for p in plugins}
    assert by_name["sine"]["registered"] == {"tts": ["sine"]}
    assert by_name["sine"]["version"] == sine_plugin_installed
    assert "avatar_service.builtin" in by_name


@pytest.mark.usefixtures("sine_plugin_installed")
class TestSinePluginContract(SpeechSynthesizerContract):
    """The third party's whole contract test is this class."""

    @pytest.fixture
    def adapter(self) -> Any:
        from avatar_sine_voice import SineSynthesizer  # type: ignore[import-not-found]

        return SineSynthesizer()
