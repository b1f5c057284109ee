"""Contract suite for ``Store`` adapters (see ``core.ports.Store``).

Ids carry a random suffix and listings are checked for "ours, in order", so the suite also
runs against a persistent database that holds other data.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest

from avatar_service.contracts import _records as make
from avatar_service.contracts.store_tenancy import StoreTenancyContract
from avatar_service.core.avatar import Accessory, AvatarState, HairStyle
from avatar_service.core.errors import Conflict, Invalid, NotFound, PreconditionFailed
from avatar_service.core.ports import Store
from avatar_service.core.records import Avatar, Preset, Session

MISSING = "missing-7f3a9c0d1e2f"
MISSING_CALLS: dict[str, Callable[[Store], object]] = {
    "get_avatar": lambda s: s.get_avatar(MISSING),
    "update_avatar": lambda s: s.update_avatar(MISSING, name="x"),
    "delete_avatar": lambda s: s.delete_avatar(MISSING),
    "get_session": lambda s: s.get_session(MISSING),
    "delete_session": lambda s: s.delete_session(MISSING),
    "get_preset": lambda s: s.get_preset(MISSING),
    "update_preset": lambda s: s.update_preset(MISSING, name="x"),
    "delete_preset": lambda s: s.delete_preset(MISSING),
    "get_audio": lambda s: s.get_audio(MISSING),
    "get_render": lambda s: s.get_render(MISSING),
}
GARBAGE_CURSORS = (
    "not a cursor",
    "%%%",
    base64.urlsafe_b64encode(b'{"x": 1}').decode().rstrip("="),
    base64.urlsafe_b64encode(b"[]").decode(),
)
LISTINGS = ("list_avatars", "list_sessions", "list_presets", "list_audios", "list_renders")


def _aware(value: datetime, what: str) -> None:
    assert isinstance(value, datetime), f"{what} is {value!r}"
    assert value.utcoffset() is not None, f"{what} is a naive datetime"


@pytest.mark.contract
class StoreContract(StoreTenancyContract):
    """Subclass as ``class TestMine(StoreContract)`` and override ``adapter`` (a usable store;
    for a database, an empty or shared schema both work). Includes the tenancy tests."""

    @pytest.fixture
    def adapter(self) -> Store:
        """The store under test, ready to use."""
        raise NotImplementedError("must be overridden in derived classes")

    def test_adapter_implements_the_port(self, adapter: Store) -> None:
        assert isinstance(adapter, Store)
        adapter.check()  # raises Unavailable if the adapter is not usable

    # -- create / read ------------------------------------------------------------------

    def test_created_records_read_back_equal(self, adapter: Store) -> None:
        state = AvatarState(hair_style=HairStyle.BOB, accessories=(Accessory.HAT,))
        avatar = adapter.create_avatar(Avatar(make.uid("av"), "Ada", state))
        got = adapter.get_avatar(avatar.avatar_id)
        assert (got.avatar_id, got.name, got.state, got.version) == (
            avatar.avatar_id,
            "Ada",
            state,
            1,
        )
        session = make.session(adapter, avatar.avatar_id, topic="demo")
        assert adapter.get_session(session.session_id).metadata == {"topic": "demo"}
        assert adapter.get_session(session.session_id).deleted_at is None
        preset = make.preset(adapter, {"hair_style": "bob"})
        assert adapter.get_preset(preset.preset_id).settings == {"hair_style": "bob"}
        audio = make.audio(adapter, avatar.avatar_id, session.session_id)
        assert adapter.get_audio(audio.audio_id) == audio
        render = make.render(adapter, avatar.avatar_id, session.session_id)
        assert adapter.get_render(render.render_id) == render

    def test_timestamps_are_timezone_aware(self, adapter: Store) -> None:
        avatar = make.avatar(adapter)
        session = make.session(adapter, avatar.avatar_id)
        got_avatar = adapter.get_avatar(avatar.avatar_id)
        _aware(got_avatar.created_at, "avatar.created_at")
        _aware(got_avatar.updated_at, "avatar.updated_at")
        _aware(adapter.get_session(session.session_id).created_at, "session.created_at")
        got_preset = adapter.get_preset(make.preset(adapter).preset_id)
        _aware(got_preset.created_at, "preset.created_at")
        _aware(got_preset.updated_at, "preset.updated_at")
        audio = make.audio(adapter, avatar.avatar_id)
        _aware(adapter.get_audio(audio.audio_id).created_at, "audio.created_at")
        render = make.render(adapter, avatar.avatar_id)
        _aware(adapter.get_render(render.render_id).created_at, "render.created_at")
        updated = adapter.update_avatar(avatar.avatar_id, name="Later")
        _aware(updated.updated_at, "updated avatar.updated_at")
        assert updated.updated_at >= got_avatar.updated_at

    @pytest.mark.parametrize("kind", ["avatar", "session", "preset", "audio", "render"])
    def test_creating_an_existing_id_conflicts(self, adapter: Store, kind: str) -> None:
        avatar = make.avatar(adapter)
        create: dict[str, Callable[[], object]] = {
            "avatar": lambda: adapter.create_avatar(avatar),
            "session": lambda: adapter.create_session(make.session(adapter, avatar.avatar_id)),
            "preset": lambda: adapter.create_preset(make.preset(adapter)),
            "audio": lambda: adapter.add_audio(make.audio(adapter, avatar.avatar_id)),
            "render": lambda: adapter.add_render(make.render(adapter, avatar.avatar_id)),
        }
        with pytest.raises(Conflict):
            create[kind]()

    @pytest.mark.parametrize("call", sorted(MISSING_CALLS))
    def test_missing_id_is_not_found(self, adapter: Store, call: str) -> None:
        with pytest.raises(NotFound):
            MISSING_CALLS[call](adapter)

    def test_records_naming_a_missing_avatar_or_session_are_not_found(self, adapter: Store) -> None:
        avatar = make.avatar(adapter)
        gone = make.session(adapter, avatar.avatar_id)
        adapter.delete_session(gone.session_id)
        attempts: list[Callable[[], object]] = [
            lambda: make.session(adapter, MISSING),
            lambda: make.audio(adapter, avatar_id=MISSING),
            lambda: make.audio(adapter, session_id=MISSING),
            lambda: make.audio(adapter, avatar.avatar_id, session_id=gone.session_id),
            lambda: make.render(adapter, avatar_id=MISSING),
            lambda: make.render(adapter, session_id=MISSING),
            lambda: make.render(adapter, avatar.avatar_id, session_id=gone.session_id),
        ]
        for attempt in attempts:
            with pytest.raises(NotFound):
                attempt()

    # -- updates and versions -----------------------------------------------------------

    def test_each_update_bumps_the_version_by_exactly_one(self, adapter: Store) -> None:
        avatar = make.avatar(adapter)
        renamed = adapter.update_avatar(avatar.avatar_id, name="Grace")
        assert (renamed.name, renamed.state, renamed.version) == ("Grace", avatar.state, 2)
        state = AvatarState(hair_style=HairStyle.CURLY)
        restyled = adapter.update_avatar(avatar.avatar_id, state=state, expected_version=2)
        assert (restyled.name, restyled.state, restyled.version) == ("Grace", state, 3)
        assert adapter.get_avatar(avatar.avatar_id) == restyled
        preset = make.preset(adapter)
        updated = adapter.update_preset(preset.preset_id, settings={"hair_style": "bun"})
        assert (updated.name, updated.settings, updated.version) == (
            preset.name,
            {"hair_style": "bun"},
            2,
        )
        renamed_preset = adapter.update_preset(preset.preset_id, name="P2", expected_version=2)
        assert (renamed_preset.name, renamed_preset.version) == ("P2", 3)

    def test_stale_expected_version_is_precondition_failed_and_changes_nothing(
        self, adapter: Store
    ) -> None:
        avatar = make.avatar(adapter, name="Before")
        adapter.update_avatar(avatar.avatar_id, name="Now")
        with pytest.raises(PreconditionFailed):
            adapter.update_avatar(avatar.avatar_id, name="Stale", expected_version=1)
        current = adapter.get_avatar(avatar.avatar_id)
        assert (current.name, current.version) == ("Now", 2)
        preset = make.preset(adapter)
        with pytest.raises(PreconditionFailed):
            adapter.update_preset(preset.preset_id, name="Stale", expected_version=7)
        assert adapter.get_preset(preset.preset_id).version == 1

    def test_concurrent_updates_are_never_lost(self, adapter: Store) -> None:
        avatar = make.avatar(adapter)

        def blind(worker: int) -> None:
            for n in range(10):
                adapter.update_avatar(avatar.avatar_id, name=f"w{worker}-{n}")

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(blind, range(8)))
        assert adapter.get_avatar(avatar.avatar_id).version == 1 + 80

    def test_concurrent_read_modify_write_loses_no_update(self, adapter: Store) -> None:
        avatar = make.avatar(adapter)

        def read_modify_write(worker: int) -> None:
            done = attempts = 0
            while done < 10:
                attempts += 1
                assert attempts < 5000, "no progress: PreconditionFailed forever"
                current = adapter.get_avatar(avatar.avatar_id)
                try:
                    adapter.update_avatar(
                        avatar.avatar_id, name=f"w{worker}-{done}", expected_version=current.version
                    )
                except PreconditionFailed:
                    continue
                done += 1

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(read_modify_write, range(8)))
        assert adapter.get_avatar(avatar.avatar_id).version == 1 + 80

    # -- deletes ------------------------------------------------------------------------

    def test_delete_session_soft_deletes_and_removes_its_records(self, adapter: Store) -> None:
        avatar = make.avatar(adapter)
        doomed, kept = (
            make.session(adapter, avatar.avatar_id),
            make.session(adapter, avatar.avatar_id),
        )
        audios = [make.audio(adapter, avatar.avatar_id, doomed.session_id)]
        audios.append(make.audio(adapter, session_id=doomed.session_id))
        renders = [make.render(adapter, avatar.avatar_id, doomed.session_id)]
        survivors = [
            make.audio(adapter, avatar.avatar_id),
            make.audio(adapter, None, kept.session_id),
        ]
        deleted = adapter.delete_session(doomed.session_id)
        assert set(make.ids(deleted.audios, "audio_id")) == set(make.ids(audios, "audio_id"))
        assert set(make.ids(deleted.renders, "render_id")) == set(make.ids(renders, "render_id"))
        with pytest.raises(NotFound):
            adapter.get_session(doomed.session_id)
        listed, _ = make.walk(adapter.list_sessions, 50, avatar_id=avatar.avatar_id)
        assert make.ids(listed, "session_id") == [kept.session_id]
        for record in audios:
            with pytest.raises(NotFound):
                adapter.get_audio(record.audio_id)
        with pytest.raises(NotFound):
            adapter.get_render(renders[0].render_id)
        for record in survivors:
            assert adapter.get_audio(record.audio_id) == record
        with pytest.raises(NotFound):
            adapter.delete_session(doomed.session_id)

    def test_delete_avatar_cascades_to_sessions_and_their_records(self, adapter: Store) -> None:
        avatar, other = make.avatar(adapter), make.avatar(adapter)
        s1, s2 = make.session(adapter, avatar.avatar_id), make.session(adapter, avatar.avatar_id)
        audios = [
            make.audio(adapter, avatar.avatar_id),
            make.audio(adapter, session_id=s1.session_id),
            make.audio(adapter, avatar.avatar_id, s2.session_id),
        ]
        renders = [
            make.render(adapter, session_id=s2.session_id),
            make.render(adapter, avatar.avatar_id),
        ]
        other_session = make.session(adapter, other.avatar_id)
        other_audio = make.audio(adapter, other.avatar_id, other_session.session_id)
        other_render = make.render(adapter, other.avatar_id)
        deleted = adapter.delete_avatar(avatar.avatar_id)
        assert set(deleted.sessions) == {s1.session_id, s2.session_id}
        assert set(make.ids(deleted.audios, "audio_id")) == set(make.ids(audios, "audio_id"))
        assert set(make.ids(deleted.renders, "render_id")) == set(make.ids(renders, "render_id"))
        gone: list[Callable[[], object]] = [
            lambda: adapter.get_avatar(avatar.avatar_id),
            lambda: adapter.get_session(s1.session_id),
            lambda: adapter.get_session(s2.session_id),
            *[lambda a=a: adapter.get_audio(a.audio_id) for a in audios],
            *[lambda r=r: adapter.get_render(r.render_id) for r in renders],
        ]
        for read in gone:
            with pytest.raises(NotFound):
                read()
        assert adapter.get_session(other_session.session_id) == other_session
        assert adapter.get_audio(other_audio.audio_id) == other_audio
        assert adapter.get_render(other_render.render_id) == other_render
        with pytest.raises(NotFound):
            adapter.delete_avatar(avatar.avatar_id)

    def test_delete_preset_removes_it(self, adapter: Store) -> None:
        preset = make.preset(adapter)
        adapter.delete_preset(preset.preset_id)
        with pytest.raises(NotFound):
            adapter.get_preset(preset.preset_id)

    # -- listings -----------------------------------------------------------------------

    @pytest.mark.parametrize("listing", LISTINGS)
    def test_listing_walks_every_item_once_oldest_first(self, adapter: Store, listing: str) -> None:
        owner = make.avatar(adapter)
        create: dict[str, Callable[[], Any]] = {
            "list_avatars": lambda: make.avatar(adapter),
            "list_sessions": lambda: make.session(adapter, owner.avatar_id),
            "list_presets": lambda: make.preset(adapter),
            "list_audios": lambda: make.audio(adapter, owner.avatar_id),
            "list_renders": lambda: make.render(adapter, owner.avatar_id),
        }
        id_attr = {"list_avatars": "avatar_id", "list_presets": "preset_id"}.get(
            listing, listing.removeprefix("list_").rstrip("s") + "_id"
        )
        mine = [create[listing]() for _ in range(7)]
        filters = (
            {} if listing in ("list_avatars", "list_presets") else {"avatar_id": owner.avatar_id}
        )
        items, sizes = make.walk(getattr(adapter, listing), 3, **filters)
        assert all(size <= 3 for size in sizes), f"page sizes {sizes} exceed limit=3"
        listed = make.ids(items, id_attr)
        assert len(listed) == len(set(listed)), "an item was listed twice"
        keys = [(item.created_at, getattr(item, id_attr)) for item in items]
        assert keys == sorted(keys), "listing is not ordered oldest first (created_at, id)"
        ours = {getattr(record, id_attr) for record in mine}
        expected = [
            getattr(r, id_attr)
            for r in sorted(mine, key=lambda r: (r.created_at, getattr(r, id_attr)))
        ]
        assert [i for i in listed if i in ours] == expected
        if filters:
            assert sizes[:3] == [3, 3, 1], f"page sizes {sizes} for 7 items at limit=3"

    @pytest.mark.parametrize("cursor", GARBAGE_CURSORS)
    @pytest.mark.parametrize("listing", LISTINGS)
    def test_garbage_cursor_is_invalid(self, adapter: Store, listing: str, cursor: str) -> None:
        with pytest.raises(Invalid):
            getattr(adapter, listing)(limit=3, cursor=cursor)

    def test_listings_filter_by_avatar_and_session(self, adapter: Store) -> None:
        a, b = make.avatar(adapter), make.avatar(adapter)
        sa, sb = make.session(adapter, a.avatar_id), make.session(adapter, b.avatar_id)
        for kind, add, id_attr in (
            ("audios", make.audio, "audio_id"),
            ("renders", make.render, "render_id"),
        ):
            only_a = add(adapter, a.avatar_id)
            in_sa = add(adapter, a.avatar_id, sa.session_id)
            add(adapter, b.avatar_id, sb.session_id)
            list_kind = getattr(adapter, f"list_{kind}")
            by_avatar, _ = make.walk(list_kind, 50, avatar_id=a.avatar_id)
            assert make.ids(by_avatar, id_attr) == [
                getattr(only_a, id_attr),
                getattr(in_sa, id_attr),
            ]
            by_session, _ = make.walk(list_kind, 50, session_id=sa.session_id)
            assert make.ids(by_session, id_attr) == [getattr(in_sa, id_attr)]
            both, _ = make.walk(list_kind, 50, avatar_id=a.avatar_id, session_id=sb.session_id)
            assert both == [], f"{kind}: avatar and session filters must both apply"
        sessions, _ = make.walk(adapter.list_sessions, 50, avatar_id=a.avatar_id)
        assert make.ids(sessions, "session_id") == [sa.session_id]

    # -- no aliasing --------------------------------------------------------------------

    def test_stored_dicts_are_copies_not_aliases(self, adapter: Store) -> None:
        avatar = make.avatar(adapter)
        metadata: dict[str, Any] = {"tags": ["a"], "nested": {"k": 1}}
        created = adapter.create_session(Session(make.uid("se"), avatar.avatar_id, metadata))
        settings: dict[str, Any] = {"hair_style": "bob", "tags": ["a"], "nested": {"k": 1}}
        preset = adapter.create_preset(Preset(make.uid("pr"), "P", settings))
        for mutable in (metadata, created.metadata, settings, preset.settings):
            _scribble(mutable)
        got = adapter.get_session(created.session_id)
        original = {"tags": ["a"], "nested": {"k": 1}}
        assert got.metadata == original
        _scribble(got.metadata)
        assert adapter.get_session(created.session_id).metadata == original
        assert adapter.get_preset(preset.preset_id).settings == {"hair_style": "bob", **original}
        patch: dict[str, Any] = {"hair_style": "bun", "nested": {"k": 2}}
        updated = adapter.update_preset(preset.preset_id, settings=patch)
        _scribble(patch)
        _scribble(updated.settings)
        expected = {"hair_style": "bun", "nested": {"k": 2}}
        assert adapter.get_preset(preset.preset_id).settings == expected


def _scribble(data: dict[str, Any]) -> None:
    """Mutate ``data`` at the top level and one level down."""
    data["scribbled"] = True
    for value in data.values():
        if isinstance(value, dict):
            value["k"] = "scribbled"
        elif isinstance(value, list):
            value.append("scribbled")
