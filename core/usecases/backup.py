"""Backup and move: every record of a ``Store`` as one JSON-ready dict, and back.

The dump goes through the ``Store`` port, so it moves data between any two stores (SQLite ->
PostgreSQL, memory -> SQLite). It holds avatars, presets, live sessions, audio and render
records with their ids, versions, timestamps and tenants, of every tenant; soft-deleted
sessions are left out (they hold no data, only their id). An import puts each record back in
its tenant (a dump made before tenants: the default one). Blobs are not in it: copy the blob
store alongside (the default tenant's at each namespace root, the others' under
``tenants/<tenant>/``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from avatar_service.core.avatar import AvatarState
from avatar_service.core.errors import AvatarServiceError, Conflict, Invalid
from avatar_service.core.ports import Store
from avatar_service.core.records import (
    AudioRecord,
    Avatar,
    Page,
    Preset,
    RenderKind,
    RenderRecord,
    Session,
    utcnow,
)
from avatar_service.core.tenancy import ALL_TENANTS, DEFAULT_TENANT, check_tenant

FORMAT = "avatar-service/dump"
VERSION = 1
KINDS = ("avatars", "presets", "sessions", "audios", "renders")
"""Dump sections in the order they are imported (owners before what they own)."""
T = TypeVar("T")


def _walk(list_page: Callable[..., Page[T]]) -> Iterator[T]:
    cursor: str | None = None
    while True:
        page = list_page(limit=500, cursor=cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _avatar(a: Avatar) -> dict[str, Any]:
    return {
        "avatar_id": a.avatar_id,
        "name": a.name,
        "state": a.state.to_dict(),
        "version": a.version,
        "created_at": _time(a.created_at),
        "updated_at": _time(a.updated_at),
        "tenant": a.tenant,
    }


def _preset(p: Preset) -> dict[str, Any]:
    return {
        "preset_id": p.preset_id,
        "name": p.name,
        "settings": p.settings,
        "version": p.version,
        "created_at": _time(p.created_at),
        "updated_at": _time(p.updated_at),
        "tenant": p.tenant,
    }


def _session(s: Session) -> dict[str, Any]:
    return {
        "session_id": s.session_id,
        "avatar_id": s.avatar_id,
        "metadata": s.metadata,
        "created_at": _time(s.created_at),
        "tenant": s.tenant,
    }


def _audio(r: AudioRecord) -> dict[str, Any]:
    return {
        "audio_id": r.audio_id,
        "text": r.text,
        "voice_id": r.voice_id,
        "duration": r.duration,
        "sample_rate": r.sample_rate,
        "blob_name": r.blob_name,
        "avatar_id": r.avatar_id,
        "session_id": r.session_id,
        "created_at": _time(r.created_at),
        "tenant": r.tenant,
    }


def _render(r: RenderRecord) -> dict[str, Any]:
    return {
        "render_id": r.render_id,
        "kind": str(r.kind),
        "width": r.width,
        "height": r.height,
        "format": r.format,
        "blob_name": r.blob_name,
        "avatar_id": r.avatar_id,
        "session_id": r.session_id,
        "duration": r.duration,
        "fps": r.fps,
        "frames": r.frames,
        "created_at": _time(r.created_at),
        "tenant": r.tenant,
    }


def _times(item: Mapping[str, Any], *names: str) -> dict[str, datetime]:
    out = {}
    for name in names:
        moment = datetime.fromisoformat(item[name])
        out[name] = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return out


def _tenant(item: Mapping[str, Any]) -> str:
    """A dumped record's tenant (dumps made before tenants name none: the default)."""
    return check_tenant(str(item.get("tenant") or DEFAULT_TENANT))


_READERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "avatars": lambda d: Avatar(
        d["avatar_id"],
        d["name"],
        AvatarState.from_dict(d["state"]),
        int(d["version"]),
        **_times(d, "created_at", "updated_at"),
        tenant=_tenant(d),
    ),
    "presets": lambda d: Preset(
        d["preset_id"],
        d["name"],
        dict(d["settings"]),
        int(d["version"]),
        **_times(d, "created_at", "updated_at"),
        tenant=_tenant(d),
    ),
    "sessions": lambda d: Session(
        d["session_id"],
        d["avatar_id"],
        dict(d["metadata"]),
        **_times(d, "created_at"),
        tenant=_tenant(d),
    ),
    "audios": lambda d: AudioRecord(
        d["audio_id"],
        d["text"],
        d["voice_id"],
        float(d["duration"]),
        int(d["sample_rate"]),
        d["blob_name"],
        d.get("avatar_id"),
        d.get("session_id"),
        **_times(d, "created_at"),
        tenant=_tenant(d),
    ),
    "renders": lambda d: RenderRecord(
        d["render_id"],
        RenderKind(d["kind"]),
        int(d["width"]),
        int(d["height"]),
        d["format"],
        d["blob_name"],
        d.get("avatar_id"),
        d.get("session_id"),
        d.get("duration"),
        d.get("fps"),
        d.get("frames"),
        **_times(d, "created_at"),
        tenant=_tenant(d),
    ),
}


@dataclass(frozen=True, slots=True)
class ImportReport:
    created: dict[str, int]
    skipped: dict[str, int]
    """Records whose id already existed (left as they are): re-running an import is safe."""


class Backup:
    def __init__(self, store: Store) -> None:
        self._store = store

    def export(self) -> dict[str, Any]:
        """Every record of every tenant, oldest first per kind, as JSON-ready data."""
        store = self._store.scoped(ALL_TENANTS)
        return {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": _time(utcnow()),
            "avatars": [_avatar(a) for a in _walk(store.list_avatars)],
            "presets": [_preset(p) for p in _walk(store.list_presets)],
            "sessions": [_session(s) for s in _walk(store.list_sessions)],
            "audios": [_audio(r) for r in _walk(store.list_audios)],
            "renders": [_render(r) for r in _walk(store.list_renders)],
        }

    def load(self, dump: Mapping[str, Any]) -> ImportReport:
        """Create every record of ``dump``; existing ids are skipped. A dump that is not ours
        or a malformed record raises ``Invalid`` naming it, before anything is created."""
        if not isinstance(dump, Mapping) or dump.get("format") != FORMAT:
            raise Invalid(f"not an avatar-service dump (format {FORMAT!r})", field="format")
        if dump.get("version") != VERSION:
            raise Invalid(f"dump version {dump.get('version')!r} is not {VERSION}", field="version")
        records = {
            kind: [self._read(kind, i, item) for i, item in _items(dump, kind)] for kind in KINDS
        }
        created = dict.fromkeys(KINDS, 0)
        skipped = dict.fromkeys(KINDS, 0)
        for kind in KINDS:
            for record in records[kind]:
                try:
                    _create(self._store.scoped(record.tenant), kind, record)
                except Conflict:
                    skipped[kind] += 1
                else:
                    created[kind] += 1
        return ImportReport(created, skipped)

    @staticmethod
    def _read(kind: str, index: int, item: Any) -> Any:
        try:
            if not isinstance(item, Mapping):
                raise TypeError("not an object")
            return _READERS[kind](item)
        except AvatarServiceError as exc:
            raise Invalid(f"{kind}[{index}]: {exc.message}", field=kind) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise Invalid(f"{kind}[{index}] is malformed: {exc!r}", field=kind) from None


def _create(store: Store, kind: str, record: Any) -> object:
    create: dict[str, Callable[[Any], object]] = {
        "avatars": store.create_avatar,
        "presets": store.create_preset,
        "sessions": store.create_session,
        "audios": store.add_audio,
        "renders": store.add_render,
    }
    return create[kind](record)


def _items(dump: Mapping[str, Any], kind: str) -> Iterator[tuple[int, Any]]:
    items = dump.get(kind, [])
    if not isinstance(items, list):
        raise Invalid(f"{kind} must be a list", field=kind)
    return enumerate(items)
