"""One namespace of the fsspec blob store: its filesystem and root, opened from a URL."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import fsspec
from fsspec.implementations.local import LocalFileSystem

from avatar_service.adapters.blobs.fsspec_layout import INDEX
from avatar_service.core.errors import Unavailable


class Space:
    """One namespace: its filesystem and root path (without protocol)."""

    def __init__(self, url: str, storage_options: Mapping[str, Mapping[str, Any]]) -> None:
        protocol = fsspec.core.split_protocol(url)[0] or "file"
        scheme, sep, rest = url.partition("://")
        self.url = f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else url  # no credentials
        options = dict(storage_options.get(protocol, {}))
        if protocol in ("s3", "s3a"):  # replicas share a bucket: never trust a cached listing
            options.setdefault("use_listings_cache", False)
        try:
            fs, root = fsspec.core.url_to_fs(url, **options)
        except (ImportError, ValueError) as exc:
            raise Unavailable(f"cannot open blob store {self.url}: {exc}", field="blobs") from None
        self.fs: fsspec.AbstractFileSystem = fs
        self.root = str(root).rstrip("/") or "/"
        self.local = isinstance(fs, LocalFileSystem)
        self.protocol = protocol
        self.root_real = ""
        self._ready = False

    def ensure(self) -> None:
        """Create the local folders on first use and resolve the root."""
        if self.local and not self._ready:
            os.makedirs(os.path.join(self.root, INDEX), exist_ok=True)
            self.root_real = os.path.realpath(self.root)
            self._ready = True
