"""A separately installed plugin distribution is found, selectable by settings, configured by
typed options, passes the synthesizer contract, and shows up in ``avatar plugins`` and
``GET /v1/plugins``."""

from __future__ import annotations

import importlib.metadata
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from avatar_service.contracts.synthesizer import SpeechSynthesizerContract
from avatar_service.core.usecases.speech import SpeechRequest
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins import InvalidOptions
from avatar_service.plugins.manager import build_registry, describe_plugins, make_plugin_manager

BAD_FREQUENCY = (
    "error: invalid settings: options.sine.frequency: Input should be greater than or equal to 20"
)


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


def test_settings_select_the_plugin_and_pass_it_options(
    sine_plugin_installed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVATAR_OPTIONS__SINE__FREQUENCY", "330")
    container = bootstrap(Settings(tts="sine", _env_file=None))
    assert type(container.adapters.synthesizer).__name__ == "SineSynthesizer"
    assert container.adapters.synthesizer._frequency == 330.0
    speech = container.speech.timed_speech(SpeechRequest("hello there"))
    assert speech.speech.voice_id == "sine"
    assert speech.visemes["oculus"][-1].end == pytest.approx(speech.speech.duration)


def test_start_up_refuses_a_bad_option_naming_it(sine_plugin_installed: str) -> None:
    settings = Settings(tts="sine", options={"sine": {"frequency": "5"}}, _env_file=None)
    with pytest.raises(InvalidOptions) as caught:
        bootstrap(settings)
    assert f"error: {caught.value}" == BAD_FREQUENCY


def avatar(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The ``avatar`` command in ``tmp_path``, with ``env`` added to this environment."""
    return subprocess.run(
        [sys.executable, "-m", "avatar_service.entrypoints.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "AVATAR_DATA_DIR": str(tmp_path / "data"), **env},
    )


def test_cli_lists_the_plugin_with_what_it_registered(
    sine_plugin_installed: str, tmp_path: Path
) -> None:
    out = avatar(tmp_path, "plugins", "--json", AVATAR_OPTIONS__SINE__FREQUENCY="330")
    assert out.returncode == 0, out.stderr
    plugins: list[dict[str, Any]] = json.loads(out.stdout)["plugins"]
    by_name = {p["name"]: p for p in plugins}
    assert by_name["sine"]["registered"] == {"tts": ["sine"]}
    assert by_name["sine"]["version"] == sine_plugin_installed
    assert "avatar_service.builtin" in by_name
    [frequency] = by_name["sine"]["options"]
    assert frequency["env"] == "AVATAR_OPTIONS__SINE__FREQUENCY"
    assert (frequency["type"], frequency["default"], frequency["value"]) == ("float", 220.0, 330.0)


@pytest.mark.parametrize("command", [("config",), ("doctor",), ("speak", "hi", "-o", "hi.wav")])
def test_cli_refuses_a_bad_option_in_one_line(
    sine_plugin_installed: str, tmp_path: Path, command: tuple[str, ...]
) -> None:
    out = avatar(tmp_path, *command, AVATAR_TTS="sine", AVATAR_OPTIONS__SINE__FREQUENCY="5")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [BAD_FREQUENCY]
    assert not (tmp_path / "hi.wav").exists()


def test_serve_refuses_a_bad_option_before_it_listens(
    sine_plugin_installed: str, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = avatar(
        tmp_path,
        "serve",
        "--port",
        str(port),
        AVATAR_TTS="sine",
        AVATAR_OPTIONS__SINE__FREQUENCY="5",
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [BAD_FREQUENCY]


@pytest.mark.usefixtures("sine_plugin_installed")
class TestSinePluginContract(SpeechSynthesizerContract):
    """The third party's whole contract test is this class."""

    @pytest.fixture
    def adapter(self) -> Any:
        from avatar_sine_voice import SineSynthesizer  # type: ignore[import-not-found]

        return SineSynthesizer()
