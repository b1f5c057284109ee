"""Record factories for the store contract: unique ids, so the suite also runs against a
persistent store that already holds data (and keeps what earlier runs left)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from avatar_service.core.avatar import AvatarState
from avatar_service.core.ports import Store
from avatar_service.core.records import (
    AudioRecord,
    Avatar,
    Page,
    Preset,
    RenderKind,
    RenderRecord,
    Session,
)

T = TypeVar("T")


def uid(prefix: str) -> str:
    """A fresh valid external id, e.g. ``av-3f9c0a1b2c3d4e5f``."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def avatar(store: Store, name: str = "Ada", avatar_id: str | None = None) -> Avatar:
    return store.create_avatar(Avatar(avatar_id or uid("av"), name, AvatarState()))


def session(store: Store, avatar_id: str, **metadata: Any) -> Session:
    return store.create_session(Session(uid("se"), avatar_id, dict(metadata)))


def preset(store: Store, settings: dict[str, Any] | None = None) -> Preset:
    return store.create_preset(Preset(uid("pr"), "Preset", dict(settings or {"hair_style": "bob"})))


def audio(store: Store, avatar_id: str | None = None, session_id: str | None = None) -> AudioRecord:
    audio_id = uid("au")
    return store.add_audio(
        AudioRecord(
            audio_id=audio_id,
            text="hello",
            voice_id="v1",
            duration=1.25,
            sample_rate=16000,
            blob_name=f"{audio_id}.wav",
            avatar_id=avatar_id,
            session_id=session_id,
        )
    )


def render(
    store: Store, avatar_id: str | None = None, session_id: str | None = None
) -> RenderRecord:
    render_id = uid("re")
    return store.add_render(
        RenderRecord(
            render_id=render_id,
            kind=RenderKind.VIDEO,
            width=64,
            height=48,
            format="mp4",
            blob_name=f"{render_id}.mp4",
            avatar_id=avatar_id,
            session_id=session_id,
            duration=2.0,
            fps=25,
            frames=50,
        )
    )


def walk(
    list_page: Callable[..., Page[T]], limit: int, **filters: Any
) -> tuple[list[T], list[int]]:
    """Every item of a listing, following cursors; also the size of each page."""
    items: list[T] = []
    sizes: list[int] = []
    cursor: str | None = None
    for _ in range(10_000):
        page = list_page(limit=limit, cursor=cursor, **filters)
        items.extend(page.items)
        sizes.append(len(page.items))
        if page.next_cursor is None:
            return items, sizes
        assert page.next_cursor != cursor, "next_cursor repeats the cursor passed in"
        cursor = page.next_cursor
    raise AssertionError("listing never ends (10,000 pages)")


def ids(items: Sequence[object], attr: str) -> list[str]:
    return [getattr(item, attr) for item in items]
