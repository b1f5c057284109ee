"""The tenant a request acts in, translated from its key and the ``X-Avatar-Tenant`` header.

The rule is the core's (``core.tenancy.acting_scope``): a key acts in its own tenant; an
``admin`` key may name another tenant, or ``*`` (every tenant, for reading) in the header.
Handlers receive the container already acting in that tenant (the ``container`` dependency).
"""

from __future__ import annotations

from typing import Annotated, cast

from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import HeaderParameter
from litestar.types import Scope

from avatar_service.core.auth import Principal
from avatar_service.core.auth import Scope as KeyScope
from avatar_service.core.tenancy import DEFAULT_TENANT, acting_scope
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.auth import PRINCIPAL_KEY, READ_METHODS
from avatar_service.entrypoints.http.schemas.tenancy import TENANT_HEADER

TenantHeader = Annotated[
    str | None,
    HeaderParameter(
        name=TENANT_HEADER,
        required=False,
        description="Admin keys only: act in this tenant instead of the key's own, or '*' to "
        "read across every tenant (listings only; changes need one tenant). Other keys may "
        "only name their own tenant (else 403). See docs/security.md.",
    ),
]


def provide_container(state: State, scope: Scope, requested: TenantHeader = None) -> Container:
    """The container acting in the request's tenant (see the module docstring)."""
    container = cast(Container, state.container)
    found = (scope.get("state") or {}).get(PRINCIPAL_KEY)
    principal = found if isinstance(found, Principal) else None
    if principal is None and requested is None:
        return container
    tenant = acting_scope(
        principal.tenant if principal else DEFAULT_TENANT,
        principal is not None and principal.may(KeyScope.ADMIN),
        requested.strip() if requested is not None else None,
        changes=scope.get("method", "GET") not in READ_METHODS,
    )
    return container.for_tenant(tenant)


def provide_service_container(state: State) -> Container:
    """The container as built: for routes outside ``/v1`` (``/ready``, ``/metrics``), which
    reach no tenant's data and take no tenant header."""
    return cast(Container, state.container)


SERVICE_CONTAINER = {"container": Provide(provide_service_container, sync_to_thread=False)}
"""``dependencies=`` of a route outside ``/v1``."""
