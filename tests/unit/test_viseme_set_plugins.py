"""Third-party viseme sets: registered through ``avatar_register_viseme_sets`` beside the
built-ins, usable by name; a duplicate name or a bad table stops start-up naming the culprit."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from support import IN_MEMORY, MOCK_SPEECH

from avatar_service.core.phonetics import SHAPE_CLASSES
from avatar_service.core.usecases.speech import SpeechRequest
from avatar_service.core.visemesets import VisemeSetSpec
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins import hookimpl
from avatar_service.plugins.manager import make_plugin_manager
from avatar_service.plugins.registry import PluginError
from avatar_service.plugins.visemes import build_viseme_sets

MOUTHS = VisemeSetSpec(
    name="mouths",
    symbols=("shut", "open"),
    silence="shut",
    classes={c: "shut" if c in ("sil", "PP") else "open" for c in SHAPE_CLASSES},
    channels=("open",),
    targets={"open": {"open": 1.0}},
)


def _plugin(name: str, function: Any) -> ModuleType:
    module = ModuleType(name)
    module.avatar_register_viseme_sets = hookimpl(function)  # type: ignore[attr-defined]
    return module


def test_a_plugin_set_is_served_by_name_with_cues_and_curves() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(_plugin("mouths_plugin", lambda register: register(MOUTHS)), name="mouths")
    settings = Settings(**MOCK_SPEECH, **IN_MEMORY, _env_file=None)
    container = bootstrap(settings, plugin_manager=pm)
    assert container.speech.viseme_sets.names()[-1] == "mouths"
    timed = container.speech.timed_speech(
        SpeechRequest("Bob", viseme_sets=("mouths",), curves=("mouths",), fps=30)
    )
    assert {c.viseme for c in timed.visemes["mouths"]} <= {"shut", "open"}
    assert timed.curves["mouths"].names == ("open",)


def test_a_duplicate_set_name_names_the_plugin() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    again = VisemeSetSpec("oculus", ("a",), "a", dict.fromkeys(SHAPE_CLASSES, "a"))
    pm.register(_plugin("copycat", lambda register: register(again)), name="copycat")
    with pytest.raises(PluginError, match=r"copycat.*oculus"):
        build_viseme_sets(pm)


def test_a_bad_settings_table_stops_start_up_naming_it() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    table = {"name": "bad", "symbols": ["a"], "silence": "a", "default": "b"}
    with pytest.raises(PluginError, match=r"TABLES\[0\].*unknown symbols b"):
        build_viseme_sets(pm, [table])
