"""Speech: phonemes, lip sync (audio kept), lip-sync preview (nothing kept), voices."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.problems import BODY_ERRORS, problem_specs
from avatar_service.entrypoints.http.schemas.speech import (
    LipsyncPreviewResponse,
    LipsyncRequest,
    LipsyncResponse,
    PhonemesRequest,
    PhonemesResponse,
    VoicesResponse,
    to_lipsync_response,
    to_phonemes_response,
    to_preview_response,
    to_speech_request,
    to_voices_response,
)


class SpeechController(Controller):
    path = "/v1"
    tags = ("speech",)

    @post(
        "/phonemes",
        operation_id="phonemize",
        status_code=200,
        sync_to_thread=True,
        responses=problem_specs(*BODY_ERRORS, 404, 503, 504),
    )
    def phonemes(
        self, data: JSONBody[PhonemesRequest], container: NamedDependency[Container]
    ) -> PhonemesResponse:
        """The phonemes of each word of the text, in IPA or ARPAbet. No audio is made.

        404: unknown voice (the detail lists the voices). 422: no speakable text.
        413: text over the configured limit.
        """
        words = container.speech.phonemize(data.text, data.voice)
        return to_phonemes_response(data.text, data.voice, words, data.alphabet)

    @post(
        "/lipsync",
        operation_id="lipsync",
        status_code=200,
        sync_to_thread=True,
        responses=problem_specs(*BODY_ERRORS, 404, 503, 504),
    )
    def lipsync(
        self, data: JSONBody[LipsyncRequest], container: NamedDependency[Container]
    ) -> LipsyncResponse:
        """Speak the text: the WAV is kept (download it from audio_url) and the phoneme, word
        and viseme timings are returned, in seconds.

        404: unknown voice, avatar or session. 422: bad input, named in field.
        """
        result = container.speech.lipsync(to_speech_request(data))
        return to_lipsync_response(result, data.alphabet)

    @post(
        "/lipsync/preview",
        operation_id="lipsyncPreview",
        status_code=200,
        sync_to_thread=True,
        responses=problem_specs(*BODY_ERRORS, 404, 503, 504),
    )
    def preview(
        self, data: JSONBody[LipsyncRequest], container: NamedDependency[Container]
    ) -> LipsyncPreviewResponse:
        """The timings lipsync would return, with nothing stored (avatar_id and session_id are
        not checked)."""
        timed = container.speech.timed_speech(to_speech_request(data))
        return to_preview_response(timed, data.alphabet)

    @get("/voices", operation_id="listVoices", sync_to_thread=True, responses=problem_specs(503))
    def voices(self, container: NamedDependency[Container]) -> VoicesResponse:
        """The voices of the configured speech engine."""
        return to_voices_response(container.speech.voices())
