"""Presets in the use cases: validated updates, and the state a render request resolves to."""

from __future__ import annotations

import pytest

from avatar_service.adapters.blobs.memory import MemoryBlobStore
from avatar_service.adapters.store.memory import MemoryStore
from avatar_service.core.avatar import Expression, HairStyle
from avatar_service.core.errors import Invalid, NotFound, PreconditionFailed
from avatar_service.core.usecases.avatars import AvatarUseCases


@pytest.fixture
def avatars() -> AvatarUseCases:
    return AvatarUseCases(MemoryStore(), MemoryBlobStore())


def test_resolve_state_layers_avatar_then_preset_then_patch(avatars: AvatarUseCases) -> None:
    avatars.create_avatar(avatar_id="ada", state={"hair_style": "curly", "hair_color": "#112233"})
    avatars.create_preset(preset_id="p", settings={"hair_style": "bob", "expression": "happy"})
    state = avatars.resolve_state(avatar_id="ada", preset_id="p", state={"expression": "sad"})
    assert (state.hair_style, state.hair_color, state.expression) == (
        HairStyle.BOB,
        "#112233",
        Expression.SAD,
    )
    assert avatars.resolve_state(preset_id="p").hair_style == HairStyle.BOB
    with pytest.raises(NotFound):
        avatars.resolve_state(preset_id="missing")


def test_update_preset_validates_settings_and_honours_the_version(
    avatars: AvatarUseCases,
) -> None:
    avatars.create_preset(preset_id="p", name="P", settings={"hair_style": "bob"})
    with pytest.raises(Invalid):
        avatars.update_preset("p", settings={"hair_color": "red"})
    updated = avatars.update_preset("p", settings={"hair_style": "bun"}, expected_version=1)
    assert (updated.name, updated.settings, updated.version) == ("P", {"hair_style": "bun"}, 2)
    with pytest.raises(PreconditionFailed):
        avatars.update_preset("p", name="Q", expected_version=1)
