"""Listings of stored audio and renders, filtered by avatar and/or session, in cursor pages."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.problems import problem_specs
from avatar_service.entrypoints.http.schemas.records import (
    AudioListResponse,
    RenderListResponse,
    to_audio_list,
    to_render_list,
)


class RecordsController(Controller):
    path = "/v1"
    tags = ("media",)

    @get(
        "/audios", operation_id="listAudios", sync_to_thread=True, responses=problem_specs(400, 422)
    )
    def list_audios(
        self,
        container: NamedDependency[Container],
        avatar_id: FromQuery[str | None] = None,
        session_id: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> AudioListResponse:
        """One page of stored audio, oldest first; audio_url downloads the WAV."""
        page = container.avatars.list_audios(
            avatar_id=avatar_id, session_id=session_id, limit=limit, cursor=cursor
        )
        return to_audio_list(page)

    @get(
        "/renders",
        operation_id="listRenders",
        sync_to_thread=True,
        responses=problem_specs(400, 422),
    )
    def list_renders(
        self,
        container: NamedDependency[Container],
        avatar_id: FromQuery[str | None] = None,
        session_id: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> RenderListResponse:
        """One page of stored renders (frames and videos), oldest first."""
        page = container.avatars.list_renders(
            avatar_id=avatar_id, session_id=session_id, limit=limit, cursor=cursor
        )
        return to_render_list(page)
