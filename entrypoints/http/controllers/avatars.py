"""Avatars: create, list, read, rename, delete (cascading), and their state with optimistic
concurrency (``ETag: "<version>"``, ``If-Match``)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath, FromQuery, HeaderParameter, JSONBody

from avatar_service.core.records import Avatar
from avatar_service.core.usecases.avatars import AvatarUseCases
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.conditional import (
    expected_version,
    if_match_versions,
    none_match,
    version_etag,
)
from avatar_service.entrypoints.http.offload import store_read
from avatar_service.entrypoints.http.problems import BODY_ERRORS, problem_specs
from avatar_service.entrypoints.http.schemas.avatars import (
    STATE_EXAMPLE,
    AvatarCreateRequest,
    AvatarListResponse,
    AvatarRenameRequest,
    AvatarResponse,
    AvatarStateResponse,
    avatar_url,
    to_avatar_list,
    to_avatar_response,
    to_state_response,
)

MERGE_PATCH = "application/merge-patch+json"

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        description='"<version>" from an ETag: the change applies only to that version '
        "(else 412). Absent or * : unconditional.",
    ),
]
IfNoneMatch = Annotated[str | None, HeaderParameter(name="If-None-Match", required=False)]
StateBody = Annotated[
    dict[str, Any],
    Body(
        title="AvatarState",
        description="The whole avatar state as a bare JSON object (not wrapped in "
        '{"state": ...}); omitted fields take their defaults, unknown ones are refused.',
        examples=[Example(summary="the defaults", value=STATE_EXAMPLE)],
    ),
]
PatchBody = Annotated[
    dict[str, Any],
    Body(
        title="AvatarStatePatch",
        description="An RFC 7396 JSON merge patch of the state: listed fields change, null "
        "resets a field to its default. Sent as application/merge-patch+json or "
        "application/json.",
        media_type=MERGE_PATCH,
        examples=[
            Example(
                summary="recolour and smile",
                value={"hair_color": "#aa3300", "expression": "happy"},
            )
        ],
    ),
]


def _tagged(body: Any, version: int, status_code: int = 200, **headers: str) -> Response[Any]:
    return Response(
        body, status_code=status_code, headers={"ETag": version_etag(version), **headers}
    )


def _version_for(avatars: AvatarUseCases, avatar_id: str, if_match: str | None) -> int | None:
    """The store's ``expected_version`` for an ``If-Match`` header (``None``: unconditional)."""
    accepted = if_match_versions(if_match)
    current = None
    if accepted is not None and len(accepted) > 1:
        current = avatars.get_avatar(avatar_id).version
    return expected_version(accepted, current)


class AvatarController(Controller):
    path = "/v1/avatars"
    tags = ("avatars",)

    @post(
        "/",
        operation_id="createAvatar",
        sync_to_thread=True,
        responses=problem_specs(*BODY_ERRORS, 404, 409),
    )
    def create(
        self, data: JSONBody[AvatarCreateRequest], container: NamedDependency[Container]
    ) -> Response[AvatarResponse]:
        """Create an avatar. 409: the avatar_id exists; 404: unknown preset_id; 422: invalid
        state (field names it, e.g. state.hair_color)."""
        avatar = container.avatars.create_avatar(
            avatar_id=data.avatar_id, name=data.name, state=data.state, preset_id=data.preset_id
        )
        return _tagged(
            to_avatar_response(avatar), avatar.version, 201, Location=avatar_url(avatar.avatar_id)
        )

    @get("/", operation_id="listAvatars", sync_to_thread=True, responses=problem_specs(400, 422))
    def list_avatars(
        self,
        container: NamedDependency[Container],
        limit: FromQuery[int] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> AvatarListResponse:
        """One page of avatars, oldest first (limit 1..500)."""
        return to_avatar_list(container.avatars.list_avatars(limit=limit, cursor=cursor))

    @get(
        "/{avatar_id:str}",
        operation_id="getAvatar",
        sync_to_thread=True,
        responses=problem_specs(400, 404),
    )
    def get_avatar(
        self, avatar_id: FromPath[str], container: NamedDependency[Container]
    ) -> Response[AvatarResponse]:
        """One avatar; its ETag is its version."""
        avatar = container.avatars.get_avatar(avatar_id)
        return _tagged(to_avatar_response(avatar), avatar.version)

    @patch(
        "/{avatar_id:str}",
        operation_id="renameAvatar",
        sync_to_thread=True,
        responses=problem_specs(*BODY_ERRORS, 404, 412),
    )
    def rename(
        self,
        avatar_id: FromPath[str],
        data: JSONBody[AvatarRenameRequest],
        container: NamedDependency[Container],
        if_match: IfMatch = None,
    ) -> Response[AvatarResponse]:
        """Rename an avatar (honours If-Match)."""
        version = _version_for(container.avatars, avatar_id, if_match)
        avatar = container.avatars.rename_avatar(avatar_id, data.name, version)
        return _tagged(to_avatar_response(avatar), avatar.version)

    @delete(
        "/{avatar_id:str}",
        operation_id="deleteAvatar",
        sync_to_thread=True,
        responses=problem_specs(400, 404),
    )
    def delete_avatar(
        self, avatar_id: FromPath[str], container: NamedDependency[Container]
    ) -> None:
        """Delete an avatar with its sessions and every audio and render made for it."""
        container.avatars.delete_avatar(avatar_id)

    @get(
        "/{avatar_id:str}/state",
        operation_id="getAvatarState",
        responses={
            304: ResponseSpec(None, description="If-None-Match names the current version"),
            **problem_specs(400, 404),
        },
    )
    async def get_state(
        self,
        avatar_id: FromPath[str],
        container: NamedDependency[Container],
        if_none_match: IfNoneMatch = None,
    ) -> Response[AvatarStateResponse | bytes]:
        """The avatar's state and version; ETag "<version>" (If-None-Match gives 304)."""
        avatar = await store_read(container, container.avatars.get_avatar, avatar_id)
        if none_match(if_none_match, version_etag(avatar.version)):
            return _tagged(b"", avatar.version, 304)
        return _state(avatar)

    @put(
        "/{avatar_id:str}/state",
        operation_id="replaceAvatarState",
        sync_to_thread=True,
        responses=problem_specs(*BODY_ERRORS, 404, 412),
    )
    def replace_state(
        self,
        avatar_id: FromPath[str],
        data: StateBody,
        container: NamedDependency[Container],
        if_match: IfMatch = None,
    ) -> Response[AvatarStateResponse]:
        """Replace the whole state. If-Match "<version>" makes it conditional (412 if stale)."""
        version = _version_for(container.avatars, avatar_id, if_match)
        return _state(container.avatars.replace_state(avatar_id, data, version))

    @patch(
        "/{avatar_id:str}/state",
        operation_id="patchAvatarState",
        sync_to_thread=True,
        responses=problem_specs(*BODY_ERRORS, 404, 412),
    )
    def patch_state(
        self,
        avatar_id: FromPath[str],
        data: PatchBody,
        container: NamedDependency[Container],
        if_match: IfMatch = None,
    ) -> Response[AvatarStateResponse]:
        """Merge-patch the state (RFC 7396; null resets a field). If-Match as for PUT."""
        version = _version_for(container.avatars, avatar_id, if_match)
        return _state(container.avatars.patch_state(avatar_id, data, version))


def _state(avatar: Avatar) -> Response[Any]:
    return _tagged(to_state_response(avatar), avatar.version)
