"""The tenant as the HTTP API shows it: a field of every stored record's body."""

from __future__ import annotations

from typing import Annotated

import msgspec

TENANT_HEADER = "X-Avatar-Tenant"
"""The request header an admin key names another tenant (or ``*``) with (docs/security.md)."""

TenantField = Annotated[
    str,
    msgspec.Meta(
        description="The tenant the record belongs to: the tenant of the API key that made it "
        "('default' for keys that name none). Other tenants cannot see it."
    ),
]
