"""Sessions: create, list (by avatar, cursor pages), read, delete (cascading to its media)."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.problems import BODY_ERRORS, problem_specs
from avatar_service.entrypoints.http.schemas.sessions import (
    SessionCreateRequest,
    SessionListResponse,
    SessionResponse,
    session_url,
    to_session_list,
    to_session_response,
)


class SessionController(Controller):
    path = "/v1/sessions"
    tags = ("sessions",)

    @post(
        "/",
        operation_id="createSession",
        sync_to_thread=True,
        responses=problem_specs(*BODY_ERRORS, 404, 409),
    )
    def create(
        self, data: JSONBody[SessionCreateRequest], container: NamedDependency[Container]
    ) -> Response[SessionResponse]:
        """Start a session of an avatar. 404: unknown avatar_id; 409: the session_id exists
        (also one deleted earlier: ids are not reused while its avatar lives)."""
        session = container.avatars.create_session(
            data.avatar_id, session_id=data.session_id, metadata=data.metadata
        )
        return Response(
            to_session_response(session),
            status_code=201,
            headers={"Location": session_url(session.session_id)},
        )

    @get("/", operation_id="listSessions", sync_to_thread=True, responses=problem_specs(400, 422))
    def list_sessions(
        self,
        container: NamedDependency[Container],
        avatar_id: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> SessionListResponse:
        """One page of live sessions, oldest first, optionally of one avatar (limit 1..500)."""
        page = container.avatars.list_sessions(avatar_id=avatar_id, limit=limit, cursor=cursor)
        return to_session_list(page)

    @get(
        "/{session_id:str}",
        operation_id="getSession",
        sync_to_thread=True,
        responses=problem_specs(400, 404),
    )
    def get_session(
        self, session_id: FromPath[str], container: NamedDependency[Container]
    ) -> SessionResponse:
        """One live session."""
        return to_session_response(container.avatars.get_session(session_id))

    @delete(
        "/{session_id:str}",
        operation_id="deleteSession",
        sync_to_thread=True,
        responses=problem_specs(400, 404),
    )
    def delete_session(
        self, session_id: FromPath[str], container: NamedDependency[Container]
    ) -> None:
        """Delete a session with every audio and render made in it."""
        container.avatars.delete_session(session_id)
