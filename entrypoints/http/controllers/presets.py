"""Presets: named partial avatar states; CRUD with optimistic concurrency (ETag/If-Match)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody

from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.conditional import (
    expected_version,
    if_match_versions,
    version_etag,
)
from avatar_service.entrypoints.http.problems import BODY_ERRORS, problem_specs
from avatar_service.entrypoints.http.schemas.presets import (
    PresetCreateRequest,
    PresetListResponse,
    PresetResponse,
    PresetUpdateRequest,
    preset_url,
    to_preset_list,
    to_preset_response,
)

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        description='"<version>" from an ETag: the change applies only to that version '
        "(else 412). Absent or * : unconditional.",
    ),
]


def _tagged(body: PresetResponse, status_code: int = 200, **headers: str) -> Response[Any]:
    return Response(
        body, status_code=status_code, headers={"ETag": version_etag(body.version), **headers}
    )


class PresetController(Controller):
    path = "/v1/presets"
    tags = ("presets",)

    @post(
        "/",
        operation_id="createPreset",
        sync_to_thread=True,
        responses=problem_specs(*BODY_ERRORS, 409),
    )
    def create(
        self, data: JSONBody[PresetCreateRequest], container: NamedDependency[Container]
    ) -> Response[PresetResponse]:
        """Create a preset. 409: the preset_id exists; 422: settings are not a valid partial
        avatar state (the field names the culprit)."""
        preset = container.avatars.create_preset(
            preset_id=data.preset_id, name=data.name, settings=data.settings
        )
        return _tagged(to_preset_response(preset), 201, Location=preset_url(preset.preset_id))

    @get("/", operation_id="listPresets", sync_to_thread=True, responses=problem_specs(400, 422))
    def list_presets(
        self,
        container: NamedDependency[Container],
        limit: FromQuery[int] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> PresetListResponse:
        """One page of presets, oldest first (limit 1..500)."""
        return to_preset_list(container.avatars.list_presets(limit=limit, cursor=cursor))

    @get(
        "/{preset_id:str}",
        operation_id="getPreset",
        sync_to_thread=True,
        responses=problem_specs(400, 404),
    )
    def get_preset(
        self, preset_id: FromPath[str], container: NamedDependency[Container]
    ) -> Response[PresetResponse]:
        """One preset; its ETag is its version."""
        return _tagged(to_preset_response(container.avatars.get_preset(preset_id)))

    @patch(
        "/{preset_id:str}",
        operation_id="updatePreset",
        sync_to_thread=True,
        responses=problem_specs(*BODY_ERRORS, 404, 412),
    )
    def update(
        self,
        preset_id: FromPath[str],
        data: JSONBody[PresetUpdateRequest],
        container: NamedDependency[Container],
        if_match: IfMatch = None,
    ) -> Response[PresetResponse]:
        """Rename and/or replace the settings. If-Match "<version>": 412 when stale."""
        accepted = if_match_versions(if_match)
        current = None
        if accepted is not None and len(accepted) > 1:
            current = container.avatars.get_preset(preset_id).version
        preset = container.avatars.update_preset(
            preset_id,
            name=data.name,
            settings=data.settings,
            expected_version=expected_version(accepted, current),
        )
        return _tagged(to_preset_response(preset))

    @delete(
        "/{preset_id:str}",
        operation_id="deletePreset",
        sync_to_thread=True,
        responses=problem_specs(400, 404),
    )
    def delete_preset(
        self, preset_id: FromPath[str], container: NamedDependency[Container]
    ) -> None:
        """Delete a preset (avatars made from it keep their state)."""
        container.avatars.delete_preset(preset_id)
