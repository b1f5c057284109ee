"""Assets and media: list, stat, stream, upload and delete blobs; audio/render media by id."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from avatar_service.core.blobnames import safe_blob_name
from avatar_service.core.errors import Invalid, NotFound
from avatar_service.core.limits import Limits
from avatar_service.core.paging import check_page_size
from avatar_service.core.ports import BlobStore, Store
from avatar_service.core.records import BlobInfo, Namespace
from avatar_service.core.tenancy import DEFAULT_TENANT, TenantScope, one_tenant


class AssetUseCases:
    """Blobs of one tenant (``blobs`` and ``store`` are that tenant's views). In the
    cross-tenant scope (``tenant`` ``ALL_TENANTS``) no blob is reachable: ``Invalid``."""

    def __init__(
        self, blobs: BlobStore, store: Store, limits: Limits, tenant: TenantScope = DEFAULT_TENANT
    ) -> None:
        self._blobs_view = blobs
        self._store = store
        self._limits = limits
        self._tenant = tenant

    @property
    def _blobs(self) -> BlobStore:
        one_tenant(self._tenant, "reaching stored files")
        return self._blobs_view

    def list_assets(
        self, *, prefix: str = "", limit: int = 100, cursor: str | None = None
    ) -> list[BlobInfo]:
        if prefix:
            safe_blob_name(prefix.rstrip("/") or "x")
        if cursor is not None:
            try:
                safe_blob_name(cursor)
            except Invalid:
                raise Invalid(
                    "cursor must be a page's next_cursor (the name of its last asset)",
                    field="cursor",
                ) from None
        return self._blobs.list(
            Namespace.ASSETS, prefix=prefix, limit=check_page_size(limit), cursor=cursor
        )

    def stat(self, namespace: Namespace, name: str) -> BlobInfo:
        return self._blobs.stat(namespace, name)

    def read(
        self, namespace: Namespace, name: str, start: int = 0, end: int | None = None
    ) -> Iterator[bytes]:
        return self._blobs.read(namespace, name, start, end)

    def upload(
        self,
        name: str,
        chunks: Iterable[bytes],
        *,
        content_type: str | None = None,
        overwrite: bool = False,
    ) -> BlobInfo:
        """Stream an asset in; over ``max_file_size`` raises ``TooLarge`` and keeps nothing."""
        return self._blobs.write(
            Namespace.ASSETS,
            name,
            chunks,
            max_size=self._limits.max_file_size,
            content_type=content_type,
            overwrite=overwrite,
        )

    def delete(self, name: str) -> None:
        if not self._blobs.delete(Namespace.ASSETS, name):
            raise NotFound(f"no asset named {name!r}", field="name")

    def audio_blob(self, audio_id: str) -> BlobInfo:
        """The blob behind a stored audio record."""
        return self._blobs.stat(Namespace.AUDIOS, self._store.get_audio(audio_id).blob_name)

    def render_blob(self, render_id: str) -> BlobInfo:
        return self._blobs.stat(Namespace.RENDERS, self._store.get_render(render_id).blob_name)
