"""Where the fsspec blob store keeps things under a namespace root, and its manifest format.

Layout under each namespace root (a local folder, ``s3://bucket/prefix``, ``memory://x``)::

    index/<name>.json.     the manifest: the object exists if and only if this file does
    blobs/<id[:2]>/<id>    the data, immutable, written completely before its manifest
    tmp/                   local disk only: manifests being written, then renamed into place
    tenants/<tenant>/      the same three folders for each tenant but the default one

The manifest suffix ends with a dot because no segment of a safe name may, so a manifest
(``index/a.json.``) never collides with the folder of a longer name (``index/a.json/b.json.``).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from avatar_service.core.records import BlobInfo, Namespace

INDEX = "index"
BLOBS = "blobs"
TMP = "tmp"
TENANTS = "tenants"
MANIFEST_SUFFIX = ".json."
FORMAT_VERSION = 1
_BLOB_ID = re.compile(r"^[0-9a-f]{32}$")


class CorruptManifest(ValueError):
    """A manifest that cannot be decoded (hand-edited or truncated by something else)."""


def new_blob_id() -> str:
    return uuid.uuid4().hex


def manifest_path(root: str, name: str) -> str:
    return f"{root}/{INDEX}/{name}{MANIFEST_SUFFIX}"


def blob_path(root: str, blob_id: str) -> str:
    return f"{root}/{BLOBS}/{blob_id[:2]}/{blob_id}"


def name_of_manifest(index_root: str, path: str) -> str | None:
    """The object name a manifest path under ``index_root`` stands for (``None``: not one)."""
    start = len(index_root) + 1
    if not path.startswith(index_root + "/") or not path.endswith(MANIFEST_SUFFIX):
        return None
    return path[start : -len(MANIFEST_SUFFIX)] or None


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a write records: the object's metadata and the id of its data."""

    blob_id: str
    info: BlobInfo

    def encode(self) -> bytes:
        info = self.info
        return json.dumps(
            {
                "format": FORMAT_VERSION,
                "name": info.name,
                "blob": self.blob_id,
                "size": info.size,
                "content_type": info.content_type,
                "sha256": info.checksum,
                "modified": info.modified.isoformat(),
            }
        ).encode()

    @classmethod
    def decode(cls, namespace: Namespace, name: str, data: bytes) -> Manifest:
        """Raise ``CorruptManifest`` unless ``data`` is a manifest this version wrote."""
        try:
            raw = json.loads(data)
            blob_id = str(raw["blob"])
            info = BlobInfo(
                namespace=namespace,
                name=name,
                size=int(raw["size"]),
                content_type=str(raw["content_type"]),
                checksum=str(raw["sha256"]),
                modified=datetime.fromisoformat(str(raw["modified"])),
            )
        except (ValueError, TypeError, KeyError) as exc:
            raise CorruptManifest(f"manifest of {name!r} is unreadable: {exc}") from None
        if not _BLOB_ID.match(blob_id) or info.size < 0 or info.modified.utcoffset() is None:
            raise CorruptManifest(f"manifest of {name!r} has invalid fields")
        return cls(blob_id, info)
