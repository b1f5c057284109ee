"""Every language espeak-ng speaks gets a mouth shape for every sound: each voice reads a
sample sentence, and no phoneme that sounds may map to nothing or to silence, in any
registered viseme set."""

from __future__ import annotations

from pathlib import Path

import pytest
from language_samples import sample_for

from avatar_service.adapters.tts.espeak import EspeakSynthesizer
from avatar_service.core.errors import Invalid
from avatar_service.core.phonetics import features, shape_class
from avatar_service.core.ports import SynthesisRequest
from avatar_service.plugins.manager import make_plugin_manager
from avatar_service.plugins.visemes import build_viseme_sets

ESPEAK = EspeakSynthesizer()
VOICES = [voice.voice_id for voice in ESPEAK.voices() if "+" not in voice.voice_id]
"""One voice per language: a ``+variant`` (``en-us+f3``) speaks its language's phonemes."""
SETS = build_viseme_sets(make_plugin_manager(load_entrypoints=False))
GLOTTAL_STOP = "ʔ"
"""The one phoneme that is silence: a closure of the glottis, not of the mouth."""


def _data_dir() -> Path | None:
    try:
        import espeakng_loader
    except ImportError:  # a system espeak-ng: its data folder is its own business
        return None
    return Path(espeakng_loader.get_data_path())


def test_every_voice_has_a_sample_sentence() -> None:
    missing = []
    for voice in VOICES:
        try:
            sample_for(voice)
        except KeyError:
            missing.append(voice)
    assert not missing


@pytest.mark.parametrize("voice", VOICES)
def test_every_sound_of_the_language_maps_to_a_mouth_shape(voice: str) -> None:
    try:
        speech = ESPEAK.synthesize(SynthesisRequest(sample_for(voice), voice_id=voice))
    except Invalid as exc:
        language = voice.split("-")[0]
        data = _data_dir()
        if exc.field == "text" and data is not None and not (data / f"{language}_dict").exists():
            pytest.skip(f"the espeak-ng data has no {language}_dict: the voice speaks nothing")
        raise
    sounding = [p for p in speech.phonemes or () if p.end > p.start]
    assert sounding, "the sample sentence must make sounds"
    unmapped = sorted({p.symbol for p in sounding if features(p.symbol) is None})
    assert not unmapped, f"{voice}: no phonetic features for {unmapped}"
    silent = sorted({p.symbol for p in sounding if shape_class(p.symbol) == "sil"} - {GLOTTAL_STOP})
    assert not silent, f"{voice}: sounds shown as silence: {silent}"
    for name in SETS.names():
        spec = SETS.get(name)
        closed_is_rest = spec.classes["PP"] == spec.silence
        for p in sounding:
            shape = shape_class(p.symbol)
            if shape == "sil" or (closed_is_rest and shape == "PP"):
                continue
            assert spec.symbol_for(p.symbol) != spec.silence, f"{voice} {name}: {p.symbol}"
