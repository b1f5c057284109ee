"""An unknown voice names the closest ids and where the full list is, not the catalogue."""

from __future__ import annotations

from avatar_service.core.errors import NotFound
from avatar_service.core.voice_names import closest_voices, unknown_voice

CATALOGUE = [f"xx-{i:03d}" for i in range(120)] + ["en-us", "en-gb", "en-us-nyc", "de", "fr-fr"]


def test_a_typo_names_the_closest_ids_first() -> None:
    assert closest_voices("en-uss", CATALOGUE)[0] == "en-us"
    assert closest_voices("EN-GB", CATALOGUE)[0] == "en-gb"
    assert len(closest_voices("en", CATALOGUE)) <= 5


def test_nothing_close_falls_back_to_the_language() -> None:
    assert closest_voices("fr_CA-xyz", CATALOGUE) == ["fr-fr"]
    assert closest_voices("klingon", CATALOGUE) == []


def test_the_error_is_short_and_points_to_the_list() -> None:
    error = unknown_voice("en-uss", CATALOGUE)
    assert isinstance(error, NotFound) and error.field == "voice"
    assert "closest: en-us" in error.message
    assert "avatar voices" in error.message and "GET /v1/voices" in error.message
    assert f"all {len(CATALOGUE)} voices" in error.message
    assert "xx-050" not in error.message
    assert len(error.message) < 200


def test_with_nothing_alike_a_few_voices_are_still_named() -> None:
    message = unknown_voice("klingon", CATALOGUE).message
    assert "voices include de, en-gb" in message
    assert "xx-050" not in message
