"""Typed adapter options: ``register(name, factory, options=Model)`` gets the model validated from
``AVATAR_OPTIONS__<NAME>__*``; a bad value is refused naming it, as a bad built-in setting is."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Literal

import pluggy
import pytest
from pydantic import BaseModel, Field, SecretStr

from avatar_service.adapters.tts.mock import MockSynthesizer
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins import InvalidOptions, PluginError, hookimpl
from avatar_service.plugins.manager import build_registry, make_plugin_manager
from avatar_service.plugins.options import option_env, type_name


class ToneOptions(BaseModel):
    sample_rate: int = Field(16000, ge=8000)
    words: list[str] = []


class Built(MockSynthesizer):
    """A synthesizer that keeps what its factory was given."""

    def __init__(self, given: Any) -> None:
        super().__init__()
        self.given = given


def _plugin(**registrations: tuple[Any, type[BaseModel] | None]) -> ModuleType:
    def avatar_register_synthesizers(register: Any) -> None:
        for name, (factory, options) in registrations.items():
            if options is None:
                register(name, factory)
            else:
                register(name, factory, options=options)

    module = ModuleType("third_party")
    module.avatar_register_synthesizers = hookimpl(avatar_register_synthesizers)  # type: ignore[attr-defined]
    return module


@pytest.fixture
def pm() -> pluggy.PluginManager:
    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(
        _plugin(
            tone=(Built, ToneOptions),
            untyped=(Built, None),
            **{"my-voice": (Built, ToneOptions)},
        ),
        name="third_party",
    )
    return pm


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Settings(_env_file=None)


def test_factory_receives_the_model_validated_from_the_environment(
    pm: pluggy.PluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(
        monkeypatch,
        AVATAR_OPTIONS__TONE__SAMPLE_RATE="22050",
        AVATAR_OPTIONS__TONE__WORDS='["a", "b"]',  # a JSON list, as built-in list settings
    )
    adapter = build_registry(pm).create("tts", "tone", settings)
    assert adapter.given == ToneOptions(sample_rate=22050, words=["a", "b"])


def test_unset_options_take_the_model_defaults(pm: pluggy.PluginManager) -> None:
    adapter = build_registry(pm).create("tts", "tone", Settings(_env_file=None))
    assert adapter.given == ToneOptions()


def test_a_bad_value_is_refused_naming_the_option_as_a_built_in_setting_is(
    pm: pluggy.PluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(monkeypatch, AVATAR_OPTIONS__TONE__SAMPLE_RATE="fast")
    with pytest.raises(InvalidOptions) as caught:
        build_registry(pm).create("tts", "tone", settings)
    assert str(caught.value) == (
        "invalid settings: options.tone.sample_rate: "
        "Input should be a valid integer, unable to parse string as an integer"
    )
    assert isinstance(caught.value, PluginError)


def test_every_bad_option_is_named(pm: pluggy.PluginManager) -> None:
    settings = Settings(options={"tone": {"sample_rate": "100", "words": "a b"}})
    with pytest.raises(
        InvalidOptions, match=r"options\.tone\.sample_rate: .*8000.*; options\.tone\.words: "
    ):
        build_registry(pm).create("tts", "tone", settings)


def test_a_name_with_a_dash_reads_the_section_with_an_underscore(
    pm: pluggy.PluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert option_env("my-voice", "sample_rate") == "AVATAR_OPTIONS__MY_VOICE__SAMPLE_RATE"
    settings = _settings(monkeypatch, AVATAR_OPTIONS__MY_VOICE__SAMPLE_RATE="8000")
    assert build_registry(pm).create("tts", "my-voice", settings).given.sample_rate == 8000


def test_a_plugin_without_options_still_receives_the_settings(
    pm: pluggy.PluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(monkeypatch, AVATAR_OPTIONS__UNTYPED__ANYTHING="x")
    adapter = build_registry(pm).create("tts", "untyped", settings)
    assert adapter.given is settings
    assert adapter.given.options["untyped"] == {"anything": "x"}


def test_options_that_are_not_a_pydantic_model_are_refused_naming_the_plugin() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(_plugin(odd=(Built, dict)), name="odd_plugin")  # type: ignore[arg-type]
    with pytest.raises(PluginError, match=r"odd_plugin.*'odd'.*not a pydantic model"):
        build_registry(pm)


@pytest.mark.parametrize(
    ("annotation", "name"),
    [
        (float, "float"),
        (SecretStr | None, "SecretStr | None"),
        (list[str], "list[str]"),
        (Literal["a.b", "c"], "Literal['a.b', 'c']"),
    ],
)
def test_option_types_have_short_names(annotation: Any, name: str) -> None:
    assert type_name(annotation) == name
