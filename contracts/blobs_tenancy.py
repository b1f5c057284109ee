"""Tenancy part of the ``BlobStore`` contract (see ``core.ports.BlobStore``): a tenant's view
reaches none of another tenant's objects, even under the same name.

Tenant names carry a random suffix, so the suite also runs against a persistent store.
``BlobStoreContract`` includes these tests; they use its ``adapter`` and ``prefix`` fixtures.
"""

from __future__ import annotations

import uuid

import pytest

from avatar_service.core.errors import NotFound
from avatar_service.core.ports import BlobStore
from avatar_service.core.records import Namespace
from avatar_service.core.tenancy import DEFAULT_TENANT

NS = Namespace.ASSETS
MAX = 1024 * 1024


def _tenant() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


class BlobStoreTenancyContract:
    """Mixed into ``BlobStoreContract``."""

    def test_another_tenants_object_reads_as_missing(self, adapter: BlobStore, prefix: str) -> None:
        a, b = adapter.scoped(_tenant()), adapter.scoped(_tenant())
        name = prefix + "private.txt"
        a.write(NS, name, [b"secret"], max_size=MAX)
        for view in (b, adapter):
            with pytest.raises(NotFound):
                view.stat(NS, name)
            with pytest.raises(NotFound):
                b"".join(view.read(NS, name))
            assert view.list(NS, prefix=prefix) == []
            assert view.delete(NS, name) is False
        assert b"".join(a.read(NS, name)) == b"secret"

    def test_the_same_name_in_two_tenants_is_two_objects(
        self, adapter: BlobStore, prefix: str
    ) -> None:
        a, b = adapter.scoped(_tenant()), adapter.scoped(_tenant())
        name = prefix + "same/name.bin"
        a.write(NS, name, [b"from a"], max_size=MAX)
        b.write(NS, name, [b"from b, longer"], max_size=MAX)  # no Conflict: nothing confirmed
        b.write(NS, name, [b"b again"], max_size=MAX, overwrite=True)
        assert b"".join(a.read(NS, name)) == b"from a"
        assert b.delete(NS, name) is True
        assert a.stat(NS, name).size == len(b"from a")
        assert [i.name for i in a.list(NS, prefix=prefix)] == [name]

    def test_the_default_tenant_is_the_store_as_built(
        self, adapter: BlobStore, prefix: str
    ) -> None:
        name = prefix + "default.txt"
        adapter.write(NS, name, [b"d"], max_size=MAX)
        assert adapter.scoped(DEFAULT_TENANT).stat(NS, name).size == 1
        other = _tenant()
        adapter.scoped(other).write(NS, prefix + "x", [b"x"], max_size=MAX)
        assert {DEFAULT_TENANT, other} <= set(adapter.tenants())

    def test_a_tenant_name_cannot_reach_outside_its_space(
        self, adapter: BlobStore, prefix: str
    ) -> None:
        tenant = _tenant()
        adapter.scoped(tenant).write(NS, prefix + "mine", [b"m"], max_size=MAX)
        # The default tenant naming the other's folder layout reaches nothing of it.
        for name in (f"tenants/{tenant}/{prefix}mine", f"tenants/{tenant}/index/{prefix}mine"):
            with pytest.raises(NotFound):
                adapter.stat(NS, name)
