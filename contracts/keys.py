"""Contract suite for ``KeyStore`` adapters (see ``core.ports.KeyStore``).

Key ids are random, and listings are checked for "ours, in order", so the suite also runs
against a database that already holds keys.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from avatar_service.core.auth import ApiKey, Scope, matches, new_stored_key, split_stored_key
from avatar_service.core.errors import Conflict, NotFound
from avatar_service.core.ports import KeyStore

_BASE = datetime(2026, 1, 1, tzinfo=UTC)


def _new(name: str = "ci", scope: Scope = Scope.WRITE, at: datetime = _BASE) -> tuple[ApiKey, str]:
    return new_stored_key(name, scope, at)


@pytest.mark.contract
class KeyStoreContract:
    """Subclass as ``class TestMine(KeyStoreContract)`` and override ``adapter``."""

    @pytest.fixture
    def adapter(self) -> KeyStore:
        """The key store under test, ready to use."""
        raise NotImplementedError("must be overridden in derived classes")

    def test_adapter_implements_the_port(self, adapter: KeyStore) -> None:
        assert isinstance(adapter, KeyStore)

    def test_a_stored_key_comes_back_equal_and_still_verifies(self, adapter: KeyStore) -> None:
        record, secret = _new(scope=Scope.ADMIN)
        assert adapter.add_key(record) == record
        got = adapter.get_key(record.key_id)
        assert got == record
        assert got.created_at.utcoffset() is not None, "created_at must be timezone-aware"
        parts = split_stored_key(secret)
        assert parts is not None
        assert matches(got, parts[1])
        assert not matches(got, parts[1][:-1] + ("A" if parts[1][-1] != "A" else "B"))

    def test_the_store_keeps_no_secret(self, adapter: KeyStore) -> None:
        record, secret = _new()
        adapter.add_key(record)
        stored = adapter.get_key(record.key_id)
        parts = split_stored_key(secret)
        assert parts is not None
        assert parts[1] not in repr(stored)

    def test_a_duplicate_id_is_a_conflict(self, adapter: KeyStore) -> None:
        record, _ = _new()
        adapter.add_key(record)
        with pytest.raises(Conflict):
            adapter.add_key(replace(record, name="other"))
        assert adapter.get_key(record.key_id).name == record.name

    def test_missing_ids_raise_not_found(self, adapter: KeyStore) -> None:
        with pytest.raises(NotFound):
            adapter.get_key("000000000000")
        with pytest.raises(NotFound):
            adapter.revoke_key("000000000000", _BASE)

    def test_listing_is_oldest_first_and_includes_revoked_keys(self, adapter: KeyStore) -> None:
        first, _ = _new("a", at=_BASE + timedelta(seconds=1))
        second, _ = _new("b", at=_BASE + timedelta(seconds=2))
        for record in (second, first):
            adapter.add_key(record)
        adapter.revoke_key(first.key_id, _BASE + timedelta(seconds=3))
        ours = [k.key_id for k in adapter.list_keys() if k.key_id in {first.key_id, second.key_id}]
        assert ours == [first.key_id, second.key_id]

    def test_revoking_sets_the_time_once_and_keeps_the_key(self, adapter: KeyStore) -> None:
        record, _ = _new()
        adapter.add_key(record)
        at = _BASE + timedelta(days=1)
        revoked = adapter.revoke_key(record.key_id, at)
        assert revoked.revoked_at == at
        assert not revoked.active
        again = adapter.revoke_key(record.key_id, at + timedelta(days=1))
        assert again.revoked_at == at
        assert adapter.get_key(record.key_id).revoked_at == at
        assert adapter.has_keys()

    def test_has_keys_turns_true_with_the_first_key(self, adapter: KeyStore) -> None:
        record, _ = _new()
        adapter.add_key(record)
        assert adapter.has_keys()

    def test_concurrent_adds_all_land(self, adapter: KeyStore) -> None:
        records = [_new(f"k{i}")[0] for i in range(12)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(adapter.add_key, records))
        listed = {k.key_id for k in adapter.list_keys()}
        assert {r.key_id for r in records} <= listed

    def test_a_keys_tenant_is_kept(self, adapter: KeyStore) -> None:
        record, _ = new_stored_key("acme-ci", Scope.WRITE, _BASE, tenant="acme")
        adapter.add_key(record)
        assert adapter.get_key(record.key_id).tenant == "acme"
        assert [k.tenant for k in adapter.list_keys() if k.key_id == record.key_id] == ["acme"]
