"""Rendering: one frame, a talking video, a named animation. Media downloads from
``GET /v1/renders/{id}`` (the media controller)."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.problems import BODY_ERRORS, problem_specs
from avatar_service.entrypoints.http.schemas.render import (
    AnimationRequestBody,
    RenderRequest,
    RenderResponse,
    SequenceRequestBody,
    SequenceResponse,
    to_animation_request,
    to_frame_request,
    to_render_response,
    to_sequence_request,
    to_sequence_response,
)


class RenderController(Controller):
    path = "/v1"
    tags = ("render",)

    @post(
        "/render",
        operation_id="renderFrame",
        status_code=200,
        sync_to_thread=True,
        responses=problem_specs(*BODY_ERRORS, 404, 503, 504),
    )
    def frame(
        self, data: JSONBody[RenderRequest], container: NamedDependency[Container]
    ) -> RenderResponse:
        """Render one frame of the avatar (png, jpeg, webp) and store it at frame_url.

        404: unknown avatar, session or preset. 422: bad size, format or pose (field named).
        503: the renderer is missing a dependency or busy (Retry-After). 504: over the time limit.
        """
        return to_render_response(container.rendering.frame(to_frame_request(data)))

    @post(
        "/render/sequence",
        operation_id="renderSequence",
        status_code=200,
        sync_to_thread=True,
        responses=problem_specs(*BODY_ERRORS, 404, 503, 504),
    )
    def sequence(
        self, data: JSONBody[SequenceRequestBody], container: NamedDependency[Container]
    ) -> SequenceResponse:
        """A video of the avatar speaking (mp4, webm, gif), in sync, with sound: from text in
        one call, or from stored audio (audio_id) with optional viseme cues.

        422: neither or both of text and audio_id, or a bound exceeded (size 16-2048 px,
        fps, duration, text length). 503/504: see renderFrame.
        """
        record = container.rendering.render_sequence(to_sequence_request(data))
        return to_sequence_response(record)

    @post(
        "/avatars/{avatar_id:str}/animations",
        operation_id="renderAnimation",
        status_code=200,
        sync_to_thread=True,
        responses=problem_specs(*BODY_ERRORS, 404, 503, 504),
    )
    def animation(
        self,
        avatar_id: FromPath[str],
        data: JSONBody[AnimationRequestBody],
        container: NamedDependency[Container],
    ) -> SequenceResponse:
        """A named animation (idle, blink, nod, head_shake, or talk with text) as a video/GIF."""
        record = container.rendering.animate(to_animation_request(avatar_id, data))
        return to_sequence_response(record)
