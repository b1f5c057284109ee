"""Tenants: who owns a record or a blob, and which tenant a caller acts in.

Every record and blob belongs to one tenant, the tenant of the key that made it. A key without
a tenant belongs to ``DEFAULT_TENANT`` (so a deployment that never names a tenant is a single
tenant, as before). A caller acts in its key's tenant; only an ``admin`` key may act in another
one, and only when it names it explicitly (``requested``). ``ALL_TENANTS`` is the cross-tenant
scope: listings span every tenant, records keep their own tenant; acting on one client-named
record (avatar, session, preset) needs one tenant.
"""

from __future__ import annotations

import re
from typing import Final

from avatar_service.core.errors import Forbidden, Invalid

DEFAULT_TENANT: Final = "default"
"""The tenant of keys that name none, of anonymous callers, and of data made before tenants."""
ALL_TENANTS: Final = None
"""The cross-tenant scope (``TenantScope`` ``None``)."""
ALL_TENANTS_WORD: Final = "*"
"""How an admin asks for the cross-tenant scope (``X-Avatar-Tenant: *``, ``--tenant '*'``)."""

TenantScope = str | None
"""One tenant's name, or ``ALL_TENANTS``."""

_TENANT = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def check_tenant(name: str, field: str = "tenant") -> str:
    """``name`` if it is a valid tenant name, else ``Invalid`` naming ``field``.

    Valid: 1-64 characters of lowercase letters, digits, ``_`` and ``-``, starting with a
    letter or digit (safe as a folder name on any file system, case-insensitive ones too).
    """
    if not isinstance(name, str) or not _TENANT.fullmatch(name):
        raise Invalid(
            f"a tenant is 1-64 lowercase letters, digits, '_' or '-', starting with a letter or "
            f"digit; got {name!r}",
            field=field,
        )
    return name


def acting_scope(
    own: str, is_admin: bool, requested: str | None, *, changes: bool = False
) -> TenantScope:
    """The scope a caller whose key belongs to ``own`` acts in when it asks for ``requested``
    (``None``: nothing asked: its own tenant). Naming its own tenant is always allowed; naming
    another one, or ``*``, needs an admin key (``Forbidden`` otherwise). ``*`` is for reading
    only: a request that ``changes`` something must name one tenant (``Invalid``)."""
    if requested is None or requested == own:
        return own
    if not is_admin:
        raise Forbidden(
            "only an admin key may act in another tenant or across tenants", field="tenant"
        )
    if requested == ALL_TENANTS_WORD:
        if changes:
            raise Invalid(
                "'*' (every tenant) is for reading; to change something, name its tenant",
                field="tenant",
            )
        return ALL_TENANTS
    return check_tenant(requested)


def one_tenant(scope: TenantScope, what: str) -> str:
    """``scope`` when it names one tenant; ``Invalid`` (field ``tenant``) in the cross-tenant
    scope, where ``what`` would be ambiguous."""
    if scope is None:
        raise Invalid(
            f"{what} needs one tenant: name it (X-Avatar-Tenant: <tenant>) instead of '*'",
            field="tenant",
        )
    return scope
