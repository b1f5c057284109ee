"""The broken adapters of ``test_contracts_catch_bugs.py``: per port, small Python sources
that break one rule of the port's contract, and the contract test expected to catch each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    """A broken adapter -- Python source defining ``Broken`` (or ``make_adapter(monkeypatch)``)
    -- for ``suite``, and the test (an fnmatch pattern) expected to fail on it."""

    name: str
    suite: str
    source: str
    expected_failure: str


ADAPTER_IMPORTS = {
    "SpeechSynthesizerContract": "from avatar_service.adapters.tts.mock import MockSynthesizer",
    "AlignerContract": "from avatar_service.adapters.aligner.mock import MockAligner",
    "RendererContract": "from avatar_service.adapters.renderer.mock import MockRenderer",
    "StoreContract": "from avatar_service.adapters.store.memory import MemoryStore",
    "BlobStoreContract": "from avatar_service.adapters.blobs.memory import MemoryBlobStore",
    "PhoneRecognizerContract": (
        "from avatar_service.adapters.recognizer.mock import MockRecognizer\n"
        "from avatar_service.core.speech import Alignment, TimedPhoneme"
    ),
}
MODULE_TEMPLATE = """\
from __future__ import annotations

import dataclasses
import time

import pytest

from avatar_service.contracts import {suite}
from avatar_service.core.errors import Invalid, PreconditionFailed, TooLarge
from avatar_service.core.records import Deleted
{adapter_import}


def make_adapter(monkeypatch):
    return Broken()

{source}

class TestBroken({suite}):
    @pytest.fixture
    def adapter(self, monkeypatch):
        return make_adapter(monkeypatch)
"""

SYNTHESIZER_CASES = [
    Case(
        "synthesizer-phonemes-out-of-order",
        "SpeechSynthesizerContract",
        """
        class Broken(MockSynthesizer):
            def synthesize(self, request):
                speech = super().synthesize(request)
                return dataclasses.replace(speech, phonemes=speech.phonemes[::-1])
        """,
        "test_timings_when_given_are_ordered_and_inside_the_audio",
    ),
    Case(
        "synthesizer-words-end-after-the-audio",
        "SpeechSynthesizerContract",
        """
        class Broken(MockSynthesizer):
            def synthesize(self, request):
                speech = super().synthesize(request)
                last = dataclasses.replace(speech.words[-1], end=speech.duration + 0.25)
                return dataclasses.replace(speech, words=(*speech.words[:-1], last))
        """,
        "test_timings_when_given_are_ordered_and_inside_the_audio",
    ),
    Case(
        "synthesizer-value-error-on-empty-text",
        "SpeechSynthesizerContract",
        """
        class Broken(MockSynthesizer):
            def synthesize(self, request):
                if not request.text.strip():
                    raise ValueError("empty text")
                return super().synthesize(request)
        """,
        "test_text_without_words_is_invalid*synthesize*",
    ),
    Case(
        "synthesizer-loses-words-it-speaks-joined",
        "SpeechSynthesizerContract",
        """
        class Broken(MockSynthesizer):
            # as espeak-ng once did: "on the" is one unit, and the word list lost "the"
            def synthesize(self, request):
                speech = super().synthesize(request)
                kept = [w for i, w in enumerate(speech.words)
                        if i == 0 or speech.words[i - 1].text.lower() not in ("on", "in")]
                return dataclasses.replace(speech, words=tuple(kept))
        """,
        "test_every_word_of_the_text_comes_back_once_in_order",
    ),
    Case(
        "synthesizer-phonemize-loses-a-word",
        "SpeechSynthesizerContract",
        """
        class Broken(MockSynthesizer):
            def phonemize(self, text, voice_id=None):
                return [w for w in super().phonemize(text, voice_id) if w.text != "the"]
        """,
        "test_phonemize_gives_every_word_of_the_text_once_in_order",
    ),
    Case(
        "synthesizer-zero-length-phoneme",
        "SpeechSynthesizerContract",
        """
        class Broken(MockSynthesizer):
            def synthesize(self, request):
                speech = super().synthesize(request)
                last = speech.phonemes[-1]
                squeezed = dataclasses.replace(last, start=last.end)
                return dataclasses.replace(speech, phonemes=(*speech.phonemes[:-1], squeezed))
        """,
        "test_synthesize_returns_valid_mono_speech",
    ),
    Case(
        "synthesizer-phonemes-name-no-word",
        "SpeechSynthesizerContract",
        """
        class Broken(MockSynthesizer):
            def synthesize(self, request):
                speech = super().synthesize(request)
                bare = tuple(dataclasses.replace(p, word_index=None) for p in speech.phonemes)
                return dataclasses.replace(speech, phonemes=bare)
        """,
        "test_every_word_of_the_text_comes_back_once_in_order",
    ),
    Case(
        "synthesizer-unpacks-the-request-by-position",
        "SpeechSynthesizerContract",
        """
        class Broken(MockSynthesizer):
            def synthesize(self, request):
                text, voice_id, options = (
                    getattr(request, f.name) for f in dataclasses.fields(request)
                )
                return super().synthesize(type(request)(text, voice_id=voice_id, options=options))
        """,
        "test_a_request_with_a_field_added_later_is_spoken_as_without_it",
    ),
]
ALIGNER_CASES = [
    Case(
        "aligner-overlapping-phonemes",
        "AlignerContract",
        """
        class Broken(MockAligner):
            def align(self, samples, sample_rate, text, voice_id=None):
                result = super().align(samples, sample_rate, text, voice_id)
                stretched = tuple(
                    dataclasses.replace(p, end=p.end + 0.05) for p in result.phonemes[:-1]
                ) + result.phonemes[-1:]
                return dataclasses.replace(result, phonemes=stretched)
        """,
        "test_timings_are_ordered_and_inside_the_audio",
    ),
    Case(
        "aligner-zero-division-on-zero-rate",
        "AlignerContract",
        """
        class Broken(MockAligner):
            def align(self, samples, sample_rate, text, voice_id=None):
                self.last_duration = len(samples) / sample_rate  # before validating the rate
                return super().align(samples, sample_rate, text, voice_id)
        """,
        "test_non_positive_sample_rate_is_invalid*0*",
    ),
    Case(
        "aligner-loses-words-spoken-joined",
        "AlignerContract",
        """
        class Broken(MockAligner):
            def align(self, samples, sample_rate, text, voice_id=None):
                result = super().align(samples, sample_rate, text, voice_id)
                kept = [w for i, w in enumerate(result.words)
                        if i == 0 or result.words[i - 1].text.lower() not in ("on", "in")]
                return dataclasses.replace(result, words=tuple(kept))
        """,
        "test_every_word_of_the_transcript_comes_back_once_in_order",
    ),
    Case(
        "aligner-not-repeatable",
        "AlignerContract",
        """
        import itertools

        class Broken(MockAligner):
            calls = itertools.count()

            def align(self, samples, sample_rate, text, voice_id=None):
                result = super().align(samples, sample_rate, text, voice_id)
                shift = 0.001 * (next(self.calls) % 2)
                first = result.phonemes[0]
                moved = dataclasses.replace(first, end=first.end - shift)
                return dataclasses.replace(result, phonemes=(moved, *result.phonemes[1:]))
        """,
        "test_the_same_audio_and_text_align_identically_every_time",
    ),
]
RENDERER_CASES = [
    Case(
        "renderer-frame-one-pixel-too-wide",
        "RendererContract",
        """
        class Broken(MockRenderer):
            def render_frame(self, request):
                return super().render_frame(dataclasses.replace(request, width=request.width + 1))
        """,
        "test_frame_decodes_to_the_requested_size_and_format",
    ),
    Case(
        "renderer-key-error-on-unknown-format",
        "RendererContract",
        """
        ENCODERS = {"png": "png"}

        class Broken(MockRenderer):
            def render_frame(self, request):
                encoder = ENCODERS[request.format]
                return super().render_frame(dataclasses.replace(request, format=encoder))
        """,
        "test_unsupported_format_is_invalid",
    ),
    Case(
        "renderer-insists-on-the-exact-request-type",
        "RendererContract",
        """
        from avatar_service.core.ports import SequenceRenderRequest

        class Broken(MockRenderer):
            def render_sequence(self, request, progress=None):
                if type(request) is not SequenceRenderRequest:
                    raise TypeError(f"cannot render a {type(request).__name__}")
                return super().render_sequence(request, progress)
        """,
        "test_a_request_with_a_field_added_later_is_rendered_as_without_it",
    ),
]
RECOGNIZER_CASES = [
    Case(
        "recognizer-phones-out-of-order",
        "PhoneRecognizerContract",
        """
        class Broken(MockRecognizer):
            def recognize(self, samples, sample_rate, hint=None):
                result = super().recognize(samples, sample_rate, hint)
                return dataclasses.replace(result, phonemes=result.phonemes[::-1])
        """,
        "test_phones_are_ordered_inside_the_audio_and_not_silence",
    ),
    Case(
        "recognizer-hears-speech-in-silence",
        "PhoneRecognizerContract",
        """
        class Broken(MockRecognizer):
            def recognize(self, samples, sample_rate, hint=None):
                result = super().recognize(samples, sample_rate, hint)
                if hint is None and not result.phonemes:
                    return Alignment((TimedPhoneme("ə", 0.0, 0.1),), (), heard=True)
                return result
        """,
        "test_silence_gives_no_phoneme",
    ),
    Case(
        "recognizer-phones-not-marked-heard",
        "PhoneRecognizerContract",
        """
        class Broken(MockRecognizer):
            def recognize(self, samples, sample_rate, hint=None):
                result = super().recognize(samples, sample_rate, hint)
                return dataclasses.replace(result, heard=False)
        """,
        "test_without_a_hint_the_phones_are_marked_heard",
    ),
    Case(
        "recognizer-claims-to-follow-a-transcript-over-silence",
        "PhoneRecognizerContract",
        """
        class Broken(MockRecognizer):
            def recognize(self, samples, sample_rate, hint=None):
                result = super().recognize(samples, sample_rate, hint)
                return dataclasses.replace(result, heard=hint is None)
        """,
        "test_a_hint_over_silence_still_places_every_word",
    ),
    Case(
        "recognizer-drops-the-last-word-of-a-hint",
        "PhoneRecognizerContract",
        """
        class Broken(MockRecognizer):
            def recognize(self, samples, sample_rate, hint=None):
                result = super().recognize(samples, sample_rate, hint)
                return dataclasses.replace(result, words=result.words[:-1])
        """,
        "test_a_transcript_hint_gives_one_word_per_transcript_word",
    ),
    Case(
        "recognizer-accepts-empty-audio",
        "PhoneRecognizerContract",
        """
        class Broken(MockRecognizer):
            def recognize(self, samples, sample_rate, hint=None):
                if len(samples) == 0:
                    return Alignment((), (), heard=True)
                return super().recognize(samples, sample_rate, hint)
        """,
        "test_empty_audio_is_invalid",
    ),
]
CONTROLS = [
    ("SpeechSynthesizerContract", "MockSynthesizer()"),
    ("AlignerContract", "MockAligner()"),
    ("RendererContract", "MockRenderer()"),
    ("StoreContract", "MemoryStore()"),
    ("BlobStoreContract", "MemoryBlobStore()"),
    ("PhoneRecognizerContract", "MockRecognizer()"),
]
