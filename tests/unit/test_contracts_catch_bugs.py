"""Each contract suite fails a deliberately broken adapter, naming the test that caught it.

Every case writes a small test module (a broken subclass of one of our mock adapters plus a
subclass of the port's contract) into a scratch directory and runs pytest on it in-process.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pytest

pytest_plugins = ["pytester"]


@dataclass(frozen=True)
class Case:
    """A broken adapter -- Python source defining ``Broken`` (or ``make_adapter(monkeypatch)``)
    -- for ``suite``, and the test (an fnmatch pattern) expected to fail on it."""

    name: str
    suite: str
    source: str
    expected_failure: str


_IMPORTS = {
    "SpeechSynthesizerContract": "from avatar_service.adapters.tts.mock import MockSynthesizer",
    "AlignerContract": "from avatar_service.adapters.aligner.mock import MockAligner",
    "RendererContract": "from avatar_service.adapters.renderer.mock import MockRenderer",
    "StoreContract": "from avatar_service.adapters.store.memory import MemoryStore",
    "BlobStoreContract": "from avatar_service.adapters.blobs.memory import MemoryBlobStore",
}
_HEADER = """\
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
STORE_CASES = [
    Case(
        "store-ignores-expected-version",
        "StoreContract",
        """
        class Broken(MemoryStore):
            def update_avatar(self, avatar_id, *, name=None, state=None, expected_version=None):
                return super().update_avatar(avatar_id, name=name, state=state)
        """,
        "test_stale_expected_version_is_precondition_failed_and_changes_nothing",
    ),
    Case(
        "store-increments-version-non-atomically",
        "StoreContract",
        """
        class Broken(MemoryStore):
            def update_avatar(self, avatar_id, *, name=None, state=None, expected_version=None):
                current = self.get_avatar(avatar_id)  # read ...
                if expected_version not in (None, current.version):
                    raise PreconditionFailed("stale", field="expected_version")
                time.sleep(0.001)  # ... a round trip to the database ...
                updated = dataclasses.replace(  # ... write, with no lock or version guard
                    current, name=name or current.name, state=state or current.state,
                    version=current.version + 1,
                )
                self._avatars[avatar_id] = updated
                return updated
        """,
        "test_concurrent_updates_are_never_lost",
    ),
    Case(
        "store-delete-avatar-does-not-cascade",
        "StoreContract",
        """
        class Broken(MemoryStore):
            def delete_avatar(self, avatar_id):
                self.get_avatar(avatar_id)
                del self._avatars[self._tenant, avatar_id]
                return Deleted()
        """,
        "test_delete_avatar_cascades_to_sessions_and_their_records",
    ),
    Case(
        "store-key-error-for-missing-avatar",
        "StoreContract",
        """
        class Broken(MemoryStore):
            def get_avatar(self, avatar_id):
                return self._avatars[self._tenant, avatar_id]
        """,
        "test_missing_id_is_not_found*get_avatar*",
    ),
    Case(
        "store-reads-an-avatar-of-any-tenant",
        "StoreContract",
        """
        from avatar_service.core.errors import NotFound

        class Broken(MemoryStore):
            def get_avatar(self, avatar_id):
                with self._lock:  # looks the id up in every tenant: the classic leak
                    for (_tenant, found), avatar in self._avatars.items():
                        if found == avatar_id:
                            return avatar
                raise NotFound(f"no avatar {avatar_id!r}", field="avatar_id")
        """,
        "test_another_tenants_records_read_as_missing",
    ),
    Case(
        "store-lists-audio-of-every-tenant",
        "StoreContract",
        """
        class Broken(MemoryStore):
            def list_audios(self, **filters):
                return MemoryStore.list_audios(self.scoped(None), **filters)
        """,
        "test_listings_show_only_the_tenants_own_records",
    ),
    Case(
        "store-ids-unique-across-tenants",
        "StoreContract",
        """
        from avatar_service.core.errors import Conflict

        class Broken(MemoryStore):
            def create_avatar(self, avatar):
                with self._lock:  # a global unique index: confirms another tenant's id
                    if any(found == avatar.avatar_id for _t, found in self._avatars):
                        raise Conflict("exists", field="avatar_id")
                return super().create_avatar(avatar)
        """,
        "test_an_id_another_tenant_holds_can_be_used_again",
    ),
]
BLOB_CASES = [
    Case(
        "blobs-home-grown-name-check-accepts-traversal",
        "BlobStoreContract",
        """
        import avatar_service.adapters.blobs.memory as memory

        def strip_leading_slashes(name):  # replaces safe_blob_name
            if not name.strip("/"):
                raise Invalid("empty name", field="name")
            return name.lstrip("/")

        def make_adapter(monkeypatch):
            monkeypatch.setattr(memory, "safe_blob_name", strip_leading_slashes)
            return MemoryBlobStore()
        """,
        "test_unsafe_name_is_refused_by_every_operation*../x*",
    ),
    Case(
        "blobs-keeps-a-partial-object-after-too-large",
        "BlobStoreContract",
        """
        class Broken(MemoryBlobStore):
            def write(self, namespace, name, chunks, *, max_size, content_type=None,
                      overwrite=False):
                received = []

                def tee():
                    for chunk in chunks:
                        received.append(chunk)
                        yield chunk

                try:
                    return super().write(namespace, name, tee(), max_size=max_size,
                                         content_type=content_type, overwrite=overwrite)
                except TooLarge:  # streamed to the destination: what arrived stays there
                    partial = b"".join(received)[:max_size]
                    super().write(namespace, name, [partial], max_size=max_size, overwrite=True)
                    raise
        """,
        "test_too_large_leaves_no_object",
    ),
    Case(
        "blobs-key-error-for-missing-name",
        "BlobStoreContract",
        """
        class Broken(MemoryBlobStore):
            def stat(self, namespace, name):
                return {i.name: i for i in self.list(namespace, prefix=name)}[name]
        """,
        "test_missing_name_is_not_found",
    ),
    Case(
        "blobs-one-space-for-every-tenant",
        "BlobStoreContract",
        """
        class Broken(MemoryBlobStore):
            def scoped(self, tenant):
                return self  # every tenant reads and writes the same objects
        """,
        "test_another_tenants_object_reads_as_missing",
    ),
]
ALL_CASES = SYNTHESIZER_CASES + ALIGNER_CASES + RENDERER_CASES + STORE_CASES + BLOB_CASES
CONTROLS = [
    ("SpeechSynthesizerContract", "MockSynthesizer()"),
    ("AlignerContract", "MockAligner()"),
    ("RendererContract", "MockRenderer()"),
    ("StoreContract", "MemoryStore()"),
    ("BlobStoreContract", "MemoryBlobStore()"),
]


# Inner runs skip the cache and the plugins the generated modules do not use (hypothesis's
# start-up alone costs half a second per run).
_ARGS = ("-p", "no:cacheprovider", "-p", "no:asyncio", "-p", "no:hypothesispytest", "-q")


def _module(suite: str, source: str) -> str:
    return _HEADER.format(
        suite=suite, adapter_import=_IMPORTS[suite], source=textwrap.dedent(source)
    )


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.name for case in ALL_CASES])
def test_contract_suite_fails_a_broken_adapter(pytester: pytest.Pytester, case: Case) -> None:
    pytester.makepyfile(test_broken=_module(case.suite, case.source))
    result = pytester.runpytest_inprocess(*_ARGS, "-rf")
    assert result.ret != 0
    assert result.parseoutcomes().get("failed", 0) >= 1
    result.stdout.fnmatch_lines([f"FAILED *::TestBroken::{case.expected_failure}*"])


@pytest.mark.parametrize(("suite", "construct"), CONTROLS, ids=[c[0] for c in CONTROLS])
def test_contract_suite_passes_the_real_mock_adapter(
    pytester: pytest.Pytester, suite: str, construct: str
) -> None:
    source = f"def Broken():\n    return {construct}\n"  # the unbroken adapter
    pytester.makepyfile(test_control=_module(suite, source))
    result = pytester.runpytest_inprocess(*_ARGS)
    assert result.ret == 0, result.stdout.str()
    assert result.parseoutcomes().get("passed", 0) > 0
