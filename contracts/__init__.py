"""Reusable pytest contract suites, one per port of ``avatar_service.core.ports`` (and one
for viseme sets, ``VisemeSetContract``, whose fixture is ``viseme_set``).

Each suite is a base class (its name does not start with ``Test``, so pytest does not collect
it on its own) whose tests read an ``adapter`` fixture. To test an adapter -- ours or a third
party plugin's -- subclass the suite and provide the fixture::

    import pytest
    from avatar_service.contracts import StoreContract

    class TestMyStore(StoreContract):
        @pytest.fixture
        def adapter(self) -> MyStore:
            return MyStore(...)

Some suites have optional fixtures to override: ``SpeechSynthesizerContract.sample_text``
and ``word_texts``, ``AlignerContract.speech_sample`` and ``word_samples`` (texts whose every
word must come back: ``WORD_TEXTS``, ``MULTILINGUAL_WORD_TEXTS``),
``RendererContract.slow_adapter`` (a renderer with a tiny
time limit; skipped by default) and ``RendererContract.audio_wav``. A single inherited test an
adapter cannot honour is overridden in the subclass and marked ``xfail`` with a reason.

The suites ship in the wheel and import only pytest, numpy, the standard library and
``avatar_service.core``. Every inherited test carries the ``contract`` marker (registered by
the ``avatar_service_contracts`` pytest plugin), so ``-m contract`` selects them.
"""

from avatar_service.contracts._texts import MULTILINGUAL_WORD_TEXTS, WORD_TEXTS
from avatar_service.contracts.aligner import AlignerContract
from avatar_service.contracts.blobs import TRAVERSAL_NAMES, BlobStoreContract
from avatar_service.contracts.jobs import JobStoreContract
from avatar_service.contracts.keys import KeyStoreContract
from avatar_service.contracts.recognizer import PhoneRecognizerContract
from avatar_service.contracts.renderer import RendererContract
from avatar_service.contracts.store import StoreContract
from avatar_service.contracts.synthesizer import SpeechSynthesizerContract
from avatar_service.contracts.viseme_sets import VisemeSetContract

__all__ = [
    "MULTILINGUAL_WORD_TEXTS",
    "TRAVERSAL_NAMES",
    "WORD_TEXTS",
    "AlignerContract",
    "BlobStoreContract",
    "JobStoreContract",
    "KeyStoreContract",
    "PhoneRecognizerContract",
    "RendererContract",
    "SpeechSynthesizerContract",
    "StoreContract",
    "VisemeSetContract",
]
