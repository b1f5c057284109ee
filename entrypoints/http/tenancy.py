"""The tenant a request acts in, translated from its key and the ``X-Avatar-Tenant`` header.

The rule is the core's (``core.tenancy.acting_scope``): a key acts in its own tenant; an
``admin`` key may name another tenant, or ``*`` (every tenant, for reading) in the header.
Handlers receive the container already acting in that tenant (the ``container`` dependency).
"""

from __future__ import annotations

from typing import cast

from litestar.datastructures import Headers, State
from litestar.types import Scope

from avatar_service.core.auth import Principal
from avatar_service.core.auth import Scope as KeyScope
from avatar_service.core.tenancy import DEFAULT_TENANT, acting_scope
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.auth import PRINCIPAL_KEY, READ_METHODS
from avatar_service.entrypoints.http.schemas.tenancy import TENANT_HEADER


def provide_container(state: State, scope: Scope) -> Container:
    """The container acting in the request's tenant (see the module docstring)."""
    container = cast(Container, state.container)
    found = (scope.get("state") or {}).get(PRINCIPAL_KEY)
    principal = found if isinstance(found, Principal) else None
    requested = Headers.from_scope(scope).get(TENANT_HEADER)
    if principal is None and requested is None:
        return container
    tenant = acting_scope(
        principal.tenant if principal else DEFAULT_TENANT,
        principal is not None and principal.may(KeyScope.ADMIN),
        requested.strip() if requested is not None else None,
        changes=scope.get("method", "GET") not in READ_METHODS,
    )
    return container.for_tenant(tenant)
