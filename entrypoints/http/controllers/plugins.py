"""The loaded plugins and the adapter chosen for each port."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from avatar_service.entrypoints.adapter_options import describe_options
from avatar_service.entrypoints.bootstrap import Container, adapter_names
from avatar_service.entrypoints.http.problems import problem_specs
from avatar_service.entrypoints.http.schemas.system import PluginsResponse, to_plugins_response
from avatar_service.plugins.manager import describe_plugins


class PluginsController(Controller):
    path = "/v1/plugins"
    tags = ("plugins",)

    @get("/", operation_id="listPlugins", sync_to_thread=True, responses=problem_specs())
    def list_plugins(self, container: NamedDependency[Container]) -> PluginsResponse:
        """Every plugin (built-in first) with its version, hooks, registrations and its
        adapters' typed options (secrets masked), and the adapter selected for each port."""
        infos = describe_plugins(container.plugin_manager, container.registry)
        options = describe_options(container.registry, container.settings)
        return to_plugins_response(infos, adapter_names(container.settings), options)
