"""Rendering: one frame, a talking video, a named animation. Media downloads from
``GET /v1/renders/{id}`` (the media controller)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody

from avatar_service.core.jobs import Job
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.problems import BODY_ERRORS, problem_specs
from avatar_service.entrypoints.http.schemas.jobs import (
    JobAccepted,
    job_url,
    to_job_accepted,
    wants_async,
)
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

Prefer = Annotated[
    str | None,
    HeaderParameter(
        name="Prefer",
        required=False,
        description="respond-async: answer 202 with a job instead of the finished video",
    ),
]
_ASYNC_SPECS = {
    # Stated outright: the handlers' union return type would document 200 as either body.
    200: ResponseSpec(
        data_container=SequenceResponse, description="The finished video", generate_examples=False
    ),
    202: ResponseSpec(
        data_container=JobAccepted,
        description="Accepted: a job; poll status_url (Location)",
        generate_examples=False,
    ),
}


def _accepted(job: Job) -> Response[JobAccepted]:
    url = job_url(job.job_id)
    return Response(to_job_accepted(job), status_code=202, headers={"Location": url})


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
        responses={**_ASYNC_SPECS, **problem_specs(*BODY_ERRORS, 404, 503, 504)},
    )
    def sequence(
        self,
        data: JSONBody[SequenceRequestBody],
        container: NamedDependency[Container],
        prefer: Prefer = None,
    ) -> SequenceResponse | Response[JobAccepted]:
        """A video of the avatar speaking (mp4, webm, gif), in sync, with sound: from text in
        one call, or from stored audio (audio_id) with optional viseme cues.

        422: neither or both of text and audio_id, or a bound exceeded (size 16-2048 px,
        fps, duration, text length). 503/504: see renderFrame.
        With "async": true (or Prefer: respond-async, or a webhook_url): 202 and a job whose
        status_url (also the Location header) reports progress and then the same result.
        """
        request = to_sequence_request(data)
        if wants_async(data.async_ or data.webhook_url is not None, prefer):
            return _accepted(container.jobs.submit(request, webhook_url=data.webhook_url))
        return to_sequence_response(container.rendering.render_sequence(request))

    @post(
        "/avatars/{avatar_id:str}/animations",
        operation_id="renderAnimation",
        status_code=200,
        sync_to_thread=True,
        responses={**_ASYNC_SPECS, **problem_specs(*BODY_ERRORS, 404, 503, 504)},
    )
    def animation(
        self,
        avatar_id: FromPath[str],
        data: JSONBody[AnimationRequestBody],
        container: NamedDependency[Container],
        prefer: Prefer = None,
    ) -> SequenceResponse | Response[JobAccepted]:
        """A named animation (idle, blink, nod, head_shake, or talk with text) as a video/GIF;
        asynchronous (202 + job) as renderSequence is."""
        request = to_animation_request(avatar_id, data)
        if wants_async(data.async_ or data.webhook_url is not None, prefer):
            return _accepted(container.jobs.submit(request, webhook_url=data.webhook_url))
        return to_sequence_response(container.rendering.animate(request))
