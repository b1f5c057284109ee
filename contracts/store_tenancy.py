"""Tenancy part of the ``Store`` contract (see ``core.ports.Store``): a tenant's view sees
nothing of another tenant's records, and an id another tenant holds confirms nothing.

Tenant names carry a random suffix, so the suite also runs against a persistent database.
``StoreContract`` includes these tests; they use its ``adapter`` fixture.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from avatar_service.contracts import _records as make
from avatar_service.core.avatar import AvatarState
from avatar_service.core.errors import Invalid, NotFound
from avatar_service.core.ports import Store
from avatar_service.core.records import AudioRecord, Avatar, Preset, RenderRecord, Session
from avatar_service.core.tenancy import ALL_TENANTS


def _tenants(adapter: Store) -> tuple[Store, Store, str, str]:
    a, b = f"t-{uuid.uuid4().hex[:10]}", f"t-{uuid.uuid4().hex[:10]}"
    return adapter.scoped(a), adapter.scoped(b), a, b


class StoreTenancyContract:
    """Mixed into ``StoreContract``."""

    def test_records_made_in_a_tenant_belong_to_it(self, adapter: Store) -> None:
        store_a, _b, a, b = _tenants(adapter)
        avatar = store_a.create_avatar(Avatar(make.uid("av"), "A", AvatarState(), tenant=b))
        assert avatar.tenant == a, "a view stamps its own tenant, whatever the record says"
        session = make.session(store_a, avatar.avatar_id)
        records: list[Avatar | Session | Preset | AudioRecord | RenderRecord] = [
            store_a.get_avatar(avatar.avatar_id),
            store_a.get_session(session.session_id),
            store_a.get_preset(make.preset(store_a).preset_id),
            store_a.get_audio(make.audio(store_a, avatar.avatar_id).audio_id),
            store_a.get_render(make.render(store_a, avatar.avatar_id).render_id),
        ]
        assert [r.tenant for r in records] == [a] * 5

    def test_another_tenants_records_read_as_missing(self, adapter: Store) -> None:
        store_a, store_b, _a, _b = _tenants(adapter)
        avatar = make.avatar(store_a)
        session = make.session(store_a, avatar.avatar_id)
        preset = make.preset(store_a)
        audio = make.audio(store_a, avatar.avatar_id, session.session_id)
        render = make.render(store_a, avatar.avatar_id, session.session_id)
        reach: dict[str, Callable[[], object]] = {
            "get_avatar": lambda: store_b.get_avatar(avatar.avatar_id),
            "update_avatar": lambda: store_b.update_avatar(avatar.avatar_id, name="stolen"),
            "delete_avatar": lambda: store_b.delete_avatar(avatar.avatar_id),
            "get_session": lambda: store_b.get_session(session.session_id),
            "delete_session": lambda: store_b.delete_session(session.session_id),
            "get_preset": lambda: store_b.get_preset(preset.preset_id),
            "update_preset": lambda: store_b.update_preset(preset.preset_id, name="stolen"),
            "delete_preset": lambda: store_b.delete_preset(preset.preset_id),
            "get_audio": lambda: store_b.get_audio(audio.audio_id),
            "get_render": lambda: store_b.get_render(render.render_id),
        }
        for call, attempt in reach.items():
            try:
                attempt()
            except NotFound:
                continue
            pytest.fail(f"{call} reached another tenant's record (expected NotFound)")
        assert store_a.get_avatar(avatar.avatar_id).name == avatar.name
        assert store_a.get_preset(preset.preset_id).name == preset.name
        assert store_a.get_session(session.session_id) == session
        assert store_a.get_audio(audio.audio_id) == audio
        assert store_a.get_render(render.render_id) == render

    def test_listings_show_only_the_tenants_own_records(self, adapter: Store) -> None:
        store_a, store_b, _a, _b = _tenants(adapter)
        mine, theirs = make.avatar(store_a), make.avatar(store_b)
        for store, owner in ((store_a, mine), (store_b, theirs)):
            make.session(store, owner.avatar_id)
            make.preset(store)
            make.audio(store, owner.avatar_id)
            make.render(store, owner.avatar_id)
        for listing in (
            "list_avatars",
            "list_sessions",
            "list_presets",
            "list_audios",
            "list_renders",
        ):
            items, _ = make.walk(getattr(store_b, listing), 50)
            leaked = [item for item in items if getattr(item, "tenant", None) != theirs.tenant]
            assert not leaked, f"{listing} of one tenant shows another's: {leaked[:1]}"
            assert items, f"{listing} lost the tenant's own records"
        for listing in ("list_sessions", "list_audios", "list_renders"):
            items, _ = make.walk(getattr(store_b, listing), 50, avatar_id=mine.avatar_id)
            assert items == [], f"{listing} by another tenant's avatar_id shows its records"

    def test_an_id_another_tenant_holds_can_be_used_again(self, adapter: Store) -> None:
        """No ``Conflict``: that would confirm the other tenant's record exists."""
        store_a, store_b, _a, _b = _tenants(adapter)
        avatar_id, session_id, preset_id = make.uid("av"), make.uid("se"), make.uid("pr")
        for store, name in ((store_a, "A"), (store_b, "B")):
            store.create_avatar(Avatar(avatar_id, name, AvatarState()))
            store.create_session(Session(session_id, avatar_id, {"who": name}))
            store.create_preset(Preset(preset_id, name, {"hair_style": "bob"}))
        assert store_a.get_avatar(avatar_id).name == "A"
        assert store_b.get_avatar(avatar_id).name == "B"
        assert store_b.get_session(session_id).metadata == {"who": "B"}
        assert store_a.get_preset(preset_id).name == "A"
        store_b.update_avatar(avatar_id, name="B2")
        assert store_a.get_avatar(avatar_id).version == 1
        store_b.delete_preset(preset_id)
        assert store_a.get_preset(preset_id).name == "A"

    def test_deletes_cascade_only_inside_the_tenant(self, adapter: Store) -> None:
        store_a, store_b, _a, _b = _tenants(adapter)
        avatar_id, session_id = make.uid("av"), make.uid("se")
        kept = []
        for store in (store_a, store_b):
            store.create_avatar(Avatar(avatar_id, "X", AvatarState()))
            store.create_session(Session(session_id, avatar_id, {}))
            kept.append(
                (make.audio(store, avatar_id, session_id), make.render(store, None, session_id))
            )
        deleted = store_b.delete_session(session_id)
        assert {r.audio_id for r in deleted.audios} == {kept[1][0].audio_id}
        assert store_a.get_session(session_id).session_id == session_id
        deleted = store_b.delete_avatar(avatar_id)
        assert deleted.audios == () and deleted.renders == ()
        assert store_a.get_audio(kept[0][0].audio_id) == kept[0][0]
        assert store_a.get_render(kept[0][1].render_id) == kept[0][1]
        store_a.delete_avatar(avatar_id)
        with pytest.raises(NotFound):
            store_a.get_audio(kept[0][0].audio_id)

    def test_records_cannot_name_another_tenants_avatar_or_session(self, adapter: Store) -> None:
        store_a, store_b, _a, _b = _tenants(adapter)
        avatar = make.avatar(store_a)
        session = make.session(store_a, avatar.avatar_id)
        attempts: list[Callable[[], object]] = [
            lambda: make.session(store_b, avatar.avatar_id),
            lambda: make.audio(store_b, avatar_id=avatar.avatar_id),
            lambda: make.audio(store_b, session_id=session.session_id),
            lambda: make.render(store_b, avatar_id=avatar.avatar_id),
            lambda: make.render(store_b, session_id=session.session_id),
        ]
        for attempt in attempts:
            with pytest.raises(NotFound):
                attempt()

    def test_the_cross_tenant_view_lists_all_and_names_no_ambiguous_record(
        self, adapter: Store
    ) -> None:
        store_a, store_b, a, b = _tenants(adapter)
        avatar_id = make.uid("av")
        for store in (store_a, store_b):
            store.create_avatar(Avatar(avatar_id, "X", AvatarState()))
        audio = make.audio(store_b, avatar_id)
        every = adapter.scoped(ALL_TENANTS)
        listed, _ = make.walk(every.list_avatars, 200)
        assert {x.tenant for x in listed if x.avatar_id == avatar_id} == {a, b}
        assert every.get_audio(audio.audio_id) == audio
        for attempt in (
            lambda: every.get_avatar(avatar_id),
            lambda: every.delete_avatar(avatar_id),
            lambda: every.create_avatar(Avatar(make.uid("av"), "Y", AvatarState())),
        ):
            with pytest.raises(Invalid):
                attempt()
