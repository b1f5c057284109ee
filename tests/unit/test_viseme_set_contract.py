"""The viseme-set contract on every set the built-in plugin registers, and on a custom
table."""

from __future__ import annotations

import pytest

from avatar_service.contracts.viseme_sets import VisemeSetContract
from avatar_service.core.visemesets import VisemeSetSpec, custom_set
from avatar_service.plugins.manager import make_plugin_manager
from avatar_service.plugins.visemes import build_viseme_sets

REGISTRY = build_viseme_sets(make_plugin_manager(load_entrypoints=False))


def test_the_built_in_plugin_registers_the_five_sets() -> None:
    assert REGISTRY.names() == ("oculus", "azure", "rhubarb", "vrm", "arkit")
    assert REGISTRY.curve_names() == ("oculus", "vrm", "arkit")


class TestRegisteredSets(VisemeSetContract):
    @pytest.fixture(params=REGISTRY.names())
    def viseme_set(self, request: pytest.FixtureRequest) -> VisemeSetSpec:
        return REGISTRY.get(request.param)


class TestCustomTable(VisemeSetContract):
    @pytest.fixture
    def viseme_set(self) -> VisemeSetSpec:
        return custom_set(
            {
                "name": "three",
                "symbols": ["rest", "closed", "open", "round"],
                "silence": "rest",
                "default": "open",
                "classes": {"PP": "closed", "ou": "round", "oh": "round", "RR": "round"},
                "phonemes": {"w": "round"},
                "channels": ["jaw", "lips"],
                "targets": {
                    "open": {"jaw": 1.0},
                    "round": {"jaw": 0.3, "lips": 0.7},
                    "closed": {"lips": 1.0},
                },
                "closure": "lips",
            }
        )
