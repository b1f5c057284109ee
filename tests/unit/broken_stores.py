"""The broken stores and blob stores of ``test_contracts_catch_bugs.py`` (see
``broken_adapters``)."""

from __future__ import annotations

from broken_adapters import Case

STORE_CASES = [
    Case(
        "store-ignores-expected-version",
        "StoreContract",
        """
        class Broken(MemoryStore):
            def update_avatar(self, avatar_id, *, name=None, state=None, expected_version=None):
                return super().update_avatar(avatar_id, name=name, state=state)
        """,
        "test_stale_expected_version_is_precondition_failed_and_changes_nothing",
    ),
    Case(
        "store-increments-version-non-atomically",
        "StoreContract",
        """
        class Broken(MemoryStore):
            def update_avatar(self, avatar_id, *, name=None, state=None, expected_version=None):
                current = self.get_avatar(avatar_id)  # read ...
                if expected_version not in (None, current.version):
                    raise PreconditionFailed("stale", field="expected_version")
                time.sleep(0.001)  # ... a round trip to the database ...
                updated = dataclasses.replace(  # ... write, with no lock or version guard
                    current, name=name or current.name, state=state or current.state,
                    version=current.version + 1,
                )
                self._avatars[avatar_id] = updated
                return updated
        """,
        "test_concurrent_updates_are_never_lost",
    ),
    Case(
        "store-delete-avatar-does-not-cascade",
        "StoreContract",
        """
        class Broken(MemoryStore):
            def delete_avatar(self, avatar_id):
                self.get_avatar(avatar_id)
                del self._avatars[self._tenant, avatar_id]
                return Deleted()
        """,
        "test_delete_avatar_cascades_to_sessions_and_their_records",
    ),
    Case(
        "store-key-error-for-missing-avatar",
        "StoreContract",
        """
        class Broken(MemoryStore):
            def get_avatar(self, avatar_id):
                return self._avatars[self._tenant, avatar_id]
        """,
        "test_missing_id_is_not_found*get_avatar*",
    ),
    Case(
        "store-reads-an-avatar-of-any-tenant",
        "StoreContract",
        """
        from avatar_service.core.errors import NotFound

        class Broken(MemoryStore):
            def get_avatar(self, avatar_id):
                with self._lock:  # looks the id up in every tenant: the classic leak
                    for (_tenant, found), avatar in self._avatars.items():
                        if found == avatar_id:
                            return avatar
                raise NotFound(f"no avatar {avatar_id!r}", field="avatar_id")
        """,
        "test_another_tenants_records_read_as_missing",
    ),
    Case(
        "store-lists-audio-of-every-tenant",
        "StoreContract",
        """
        class Broken(MemoryStore):
            def list_audios(self, **filters):
                return MemoryStore.list_audios(self.scoped(None), **filters)
        """,
        "test_listings_show_only_the_tenants_own_records",
    ),
    Case(
        "store-ids-unique-across-tenants",
        "StoreContract",
        """
        from avatar_service.core.errors import Conflict

        class Broken(MemoryStore):
            def create_avatar(self, avatar):
                with self._lock:  # a global unique index: confirms another tenant's id
                    if any(found == avatar.avatar_id for _t, found in self._avatars):
                        raise Conflict("exists", field="avatar_id")
                return super().create_avatar(avatar)
        """,
        "test_an_id_another_tenant_holds_can_be_used_again",
    ),
]
BLOB_CASES = [
    Case(
        "blobs-home-grown-name-check-accepts-traversal",
        "BlobStoreContract",
        """
        import avatar_service.adapters.blobs.memory as memory

        def strip_leading_slashes(name):  # replaces safe_blob_name
            if not name.strip("/"):
                raise Invalid("empty name", field="name")
            return name.lstrip("/")

        def make_adapter(monkeypatch):
            monkeypatch.setattr(memory, "safe_blob_name", strip_leading_slashes)
            return MemoryBlobStore()
        """,
        "test_unsafe_name_is_refused_by_every_operation*../x*",
    ),
    Case(
        "blobs-keeps-a-partial-object-after-too-large",
        "BlobStoreContract",
        """
        class Broken(MemoryBlobStore):
            def write(self, namespace, name, chunks, *, max_size, content_type=None,
                      overwrite=False):
                received = []

                def tee():
                    for chunk in chunks:
                        received.append(chunk)
                        yield chunk

                try:
                    return super().write(namespace, name, tee(), max_size=max_size,
                                         content_type=content_type, overwrite=overwrite)
                except TooLarge:  # streamed to the destination: what arrived stays there
                    partial = b"".join(received)[:max_size]
                    super().write(namespace, name, [partial], max_size=max_size, overwrite=True)
                    raise
        """,
        "test_too_large_leaves_no_object",
    ),
    Case(
        "blobs-key-error-for-missing-name",
        "BlobStoreContract",
        """
        class Broken(MemoryBlobStore):
            def stat(self, namespace, name):
                return {i.name: i for i in self.list(namespace, prefix=name)}[name]
        """,
        "test_missing_name_is_not_found",
    ),
    Case(
        "blobs-one-space-for-every-tenant",
        "BlobStoreContract",
        """
        class Broken(MemoryBlobStore):
            def scoped(self, tenant):
                return self  # every tenant reads and writes the same objects
        """,
        "test_another_tenants_object_reads_as_missing",
    ),
]
