"""Lip sync from audio alone: ``POST /v1/lipsync/audio``. (The live variant is the WebSocket
``/v1/lipsync/listen``, ``controllers/listen.py``.)"""

from __future__ import annotations

from functools import partial
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated

import anyio.to_thread
from litestar import Controller, Response, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body

from avatar_service.core.cue_formats import CUE_SET, CueExportOptions, cue_file
from avatar_service.core.recognition import language_tag
from avatar_service.core.usecases.recognition import RecordingRequest, followed
from avatar_service.core.usecases.speech import check_alphabet
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.problems import BODY_ERRORS, problem_specs
from avatar_service.entrypoints.http.schemas.recognition import (
    RecordingForm,
    RecordingLipsyncResponse,
    to_recording_response,
    viseme_set_names,
)
from avatar_service.entrypoints.word_times import word_spans

Form = Annotated[RecordingForm, Body(media_type=RequestEncodingType.MULTI_PART)]


class RecognitionController(Controller):
    path = "/v1"
    tags = ("speech",)

    @post(
        "/lipsync/audio",
        operation_id="lipsyncAudio",
        summary="Lip sync a recording, no transcript needed",
        description=(
            "Multipart form: an `audio` file (WAV, FLAC, OGG or MP3) and optionally `text` "
            "(what is said), `viseme_sets`, `language`, `alphabet`, `avatar_id`, `session_id`. "
            "The phone recogniser finds the phonemes and their times; the answer has the "
            "viseme cues of every requested set and, when `text` is given, one word per word "
            "of it. The recording is kept (`audio_id`; render it with "
            "`POST /v1/render/sequence`). Only English is recognised: another `language` is a "
            "422. Silence and sounds that are not speech give a resting mouth. 413: a file "
            "over `AVATAR_HTTP__AUDIO_UPLOAD_LIMIT` or longer than "
            "`AVATAR_LIMITS__MAX_RECORDING_SECONDS`; 422: not audio, or empty. With `cues` "
            "(`tsv`, `json`, `xml`, `dat`) the answer is only the cues, in that file format "
            "of Rhubarb Lip Sync (`text/tab-separated-values`, `application/json`, "
            "`application/xml`, `text/plain`), and the stored recording's id is in the "
            "`Audio-Id` header."
        ),
        status_code=200,
        response_headers=[
            ResponseHeader(
                name="Audio-Id",
                description="With `cues`: the id of the stored recording.",
                value="",  # documents it as a string
                documentation_only=True,
                required=False,
            )
        ],
        request_max_body_size=None,  # AVATAR_HTTP__AUDIO_UPLOAD_LIMIT, see http/bodylimit.py
        responses=problem_specs(*BODY_ERRORS, 404, 503, 504),
    )
    async def lipsync_audio(
        self, data: Form, container: NamedDependency[Container]
    ) -> RecordingLipsyncResponse | Response[bytes]:
        audio = await data.audio.read()
        return await anyio.to_thread.run_sync(partial(_lipsync_audio, container, data, audio))


def _lipsync_audio(
    container: Container, form: RecordingForm, audio: bytes
) -> RecordingLipsyncResponse | Response[bytes]:
    recognition = container.recognition
    language = language_tag(form.language, recognition.languages())
    alphabet = check_alphabet(form.alphabet)
    sets = viseme_set_names(form.viseme_sets, "oculus" if form.cues is None else CUE_SET)
    options = CueExportOptions(
        form.extended_shapes, form.dat_fps, form.dat_preston_blair, tweens=form.tweens
    )
    spec = container.speech.viseme_sets.get(sets[0])
    # before the recording is decoded, recognised and kept
    output = None if form.cues is None else cue_file(spec, form.cues, options)
    words = None if form.words is None else word_spans(form.words)
    limits = container.settings.limits
    samples, rate = container.audio_codec.decode(audio, limits.max_recording_seconds)
    text = form.text if form.text and form.text.strip() else None
    result = recognition.lipsync(
        RecordingRequest(
            samples,
            rate,
            text=text,
            words=words,
            language=language,
            viseme_sets=sets,
            avatar_id=form.avatar_id or None,
            session_id=form.session_id or None,
        )
    )
    if output is not None:
        timed = result.timed
        body = output.write(
            timed.visemes[sets[0]], timed.speech.duration, _base_name(form.audio.filename)
        )
        headers = {"Audio-Id": result.audio.audio_id}
        return Response(body.encode(), media_type=output.media_type, headers=headers)
    return to_recording_response(
        result, language, alphabet, transcript=followed(result.timed.alignment)
    )


def _base_name(filename: str | None) -> str:
    """The upload's file name without any folders its client sent, at most 255 characters."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    return name[:255]
