"""Speech: phonemes, lip sync (audio kept), lip-sync preview (nothing kept), voices."""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import JSONBody

from avatar_service.core.cue_formats import CueExportOptions, cue_file
from avatar_service.core.curve_export import curves_csv, curves_gltf, curves_json
from avatar_service.core.errors import Invalid
from avatar_service.core.records import BlobInfo
from avatar_service.core.usecases.speech import check_alphabet
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.conditional import none_match
from avatar_service.entrypoints.http.crosssite import is_json_media_type, unsupported_media_type
from avatar_service.entrypoints.http.problems import BODY_ERRORS, problem_specs
from avatar_service.entrypoints.http.schemas.speech_requests import (
    CuesExportRequest,
    CurvesExportRequest,
    LipsyncRequest,
    PhonemesRequest,
    TimingRequest,
    timing_speech_request,
    to_speech_request,
)
from avatar_service.entrypoints.http.schemas.speech_responses import (
    LipsyncPreviewResponse,
    LipsyncResponse,
    PhonemesResponse,
    TimingResponse,
    VisemeSetsResponse,
    VoicesResponse,
    to_lipsync_response,
    to_phonemes_response,
    to_preview_response,
    to_timing_response,
    to_viseme_sets_response,
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

    @post(
        "/lipsync/curves",
        operation_id="lipsyncCurves",
        status_code=200,
        sync_to_thread=True,
        media_type="application/json",
        responses=problem_specs(*BODY_ERRORS, 404, 503, 504),
    )
    def curves(
        self, data: JSONBody[CurvesExportRequest], container: NamedDependency[Container]
    ) -> Response[bytes]:
        """Per-frame weight curves of the sets named in curves, as a file: json
        (``{"curves": {set: {fps, names, frames}}}``), csv (``time`` and a column per channel)
        or gltf (a glTF 2.0 morph-target animation for the morph_targets given). Nothing is
        stored.

        422: no curves named, an unknown set or channel, fps or intensity out of range.
        413: more frames than the configured limit.
        """
        if not data.curves:
            raise Invalid("name the sets to export in curves", field="curves")
        timed = container.speech.timed_speech(to_speech_request(data))
        tracks = [timed.curves[name] for name in dict.fromkeys(data.curves)]
        if data.format == "csv":
            body, media = curves_csv(tracks).encode(), "text/csv; charset=utf-8"
        elif data.format == "gltf":
            gltf = curves_gltf(tracks[0], data.morph_targets or [])
            body, media = msgspec.json.encode(gltf), "model/gltf+json"
        else:
            named = {track.viseme_set: curves_json(track) for track in tracks}
            body, media = msgspec.json.encode({"curves": named}), "application/json"
        filename = f"lipsync.{data.format}"
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        return Response(body, media_type=media, headers=headers)

    @post(
        "/lipsync/cues",
        operation_id="lipsyncCues",
        status_code=200,
        sync_to_thread=True,
        media_type="text/tab-separated-values",
        responses=problem_specs(*BODY_ERRORS, 404, 503, 504),
    )
    def cues(
        self, data: JSONBody[CuesExportRequest], container: NamedDependency[Container]
    ) -> Response[bytes]:
        """The viseme cues of a text's speech as a file of Rhubarb Lip Sync: tsv, json, xml,
        or dat (Moho switch data), in the rhubarb set unless ``viseme_set`` names another
        (docs/visemes.md). Nothing is stored.

        422: an unknown set, options the set or format cannot take (Preston Blair names or
        extended shapes for another set, ``dat_fps`` outside 24-100).
        """
        name = data.chosen_set()
        request = to_speech_request(
            msgspec.structs.replace(data, viseme_set=name, viseme_sets=None)
        )
        spec = container.speech.viseme_sets.with_set(request.viseme_table).get(name)
        options = CueExportOptions(
            data.extended_shapes, data.dat_fps, data.dat_preston_blair, tweens=data.tweens
        )
        output = cue_file(spec, data.format, options)
        timed = container.speech.timed_speech(request)
        text = output.write(timed.visemes[name], timed.speech.duration)
        headers = {"Content-Disposition": f'attachment; filename="lipsync.{data.format}"'}
        return Response(text.encode(), media_type=output.media_type, headers=headers)

    @get(
        "/viseme-sets",
        operation_id="listVisemeSets",
        sync_to_thread=False,
        responses=problem_specs(),
    )
    def viseme_sets(self, container: NamedDependency[Container]) -> VisemeSetsResponse:
        """The registered viseme sets: their symbols, silence symbol and curve channels."""
        return to_viseme_sets_response(container.speech.viseme_sets)

    @post(
        "/phonemes/timing",
        operation_id="phonemeTiming",
        status_code=200,
        request_max_body_size=None,  # AVATAR_HTTP__AUDIO_UPLOAD_LIMIT, see http/bodylimit.py
        responses=problem_specs(*BODY_ERRORS, 404, 415, 503, 504),
    )
    async def timing(
        self, request: Request[Any, Any, Any], container: NamedDependency[Container]
    ) -> TimingResponse:
        """Phoneme and word timings. JSON ``{"text", "voice"?, "alphabet"?}``: the engine's
        own timings for that text. ``multipart/form-data`` with an ``audio`` file (WAV, FLAC,
        OGG, MP3) and a ``text`` field (``voice``, ``alphabet`` optional): the recording aligned to
        its transcript by the configured aligner.

        422: no speakable text, unreadable or empty audio, a transcript that cannot match.
        """
        if request.content_type[0] == "multipart/form-data":
            form = await request.form()
            upload = form.get("audio")
            if not isinstance(upload, UploadFile):
                raise Invalid(
                    "send the recording as the multipart file field 'audio'", field="audio"
                )
            audio = await upload.read()
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            return await anyio.to_thread.run_sync(partial(_align_upload, container, audio, fields))
        content_type = request.headers.get("content-type", "")
        if not is_json_media_type(content_type):
            raise unsupported_media_type(content_type, "application/json or multipart/form-data")
        data = _decode(await request.body())
        return await anyio.to_thread.run_sync(partial(_engine_timing, container, data))

    @get("/voices", operation_id="listVoices", sync_to_thread=True, responses=problem_specs(503))
    def voices(self, container: NamedDependency[Container]) -> VoicesResponse:
        """Every voice of the configured engines (Piper and espeak-ng by default): engine,
        language, gender, whether it is neural, quality, sample rate and timing (``exact``:
        the engine's own durations; ``aligned``: timed by the aligner)."""
        speech = container.speech
        return to_voices_response(speech.voices(), speech.default_voice())


def _decode(body: bytes) -> TimingRequest:
    try:
        return msgspec.json.decode(body, type=TimingRequest)
    except msgspec.ValidationError as exc:
        field = str(exc).rpartition("`$.")[2].rstrip("`") if "`$." in str(exc) else None
        raise Invalid(str(exc), field=field) from None
    except msgspec.DecodeError as exc:
        raise HTTPException(status_code=400, detail=f"malformed JSON body: {exc}") from None


def _engine_timing(container: Container, data: TimingRequest) -> TimingResponse:
    timed = container.speech.timed_speech(timing_speech_request(data))
    source = "engine" if timed.speech.phonemes is not None else "aligner"
    return to_timing_response(
        data.text,
        timed.speech.voice_id,
        timed.speech.duration,
        timed.alignment,
        source,
        data.alphabet,
    )


def _align_upload(container: Container, audio: bytes, fields: dict[str, str]) -> TimingResponse:
    text = fields.get("text", "")
    voice = fields.get("voice") or None
    alphabet = check_alphabet(fields.get("alphabet") or "ipa")
    samples, rate = container.audio_codec.decode(audio, container.settings.speech.max_align_seconds)
    alignment = container.speech.align(samples, rate, text, voice)
    return to_timing_response(text, voice, len(samples) / rate, alignment, "aligner", alphabet)


def converted_audio_response(
    container: Container, info: BlobInfo, fmt: str, request: Request[Any, Any, Any]
) -> Response[bytes]:
    """A stored WAV converted to ``fmt`` (``mp3``, ``ogg`` = Opus) with ffmpeg, whole (no
    ranges), cacheable forever; its ETag is the WAV's sha256 plus the format."""
    media_type = container.audio_codec.media_type(fmt)
    etag = f'"{info.checksum}.{fmt}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=31536000, immutable"}
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=304, headers=headers)
    wav = b"".join(container.assets.read(info.namespace, info.name))
    body = container.audio_codec.transcode_wav(wav, fmt)
    return Response(body, media_type=media_type, headers=headers)
