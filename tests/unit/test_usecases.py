"""Use cases over the mock adapters: what is kept, in which order, and what a delete removes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from avatar_service.adapters.aligner.mock import MockAligner
from avatar_service.adapters.blobs.memory import MemoryBlobStore
from avatar_service.adapters.renderer.mock import MockRenderer
from avatar_service.adapters.store.memory import MemoryStore
from avatar_service.adapters.tts.mock import MockSynthesizer
from avatar_service.core.audio import decode_wav
from avatar_service.core.avatar import Pose
from avatar_service.core.errors import Invalid, NotFound, PreconditionFailed, TooLarge
from avatar_service.core.limits import Limits
from avatar_service.core.ports import SynthesisRequest
from avatar_service.core.records import AudioRecord, Namespace
from avatar_service.core.speech import Speech, TranscriptMismatch
from avatar_service.core.usecases.assets import AssetUseCases
from avatar_service.core.usecases.avatars import AvatarUseCases
from avatar_service.core.usecases.framing import LEAD_IN, SETTLE
from avatar_service.core.usecases.render_requests import FrameRequest, SequenceRequest
from avatar_service.core.usecases.rendering import RenderUseCases
from avatar_service.core.usecases.speech import SpeechRequest, SpeechUseCases


class World:
    def __init__(self, limits: Limits | None = None, store: Any = None) -> None:
        self.limits = limits or Limits()
        self.store = store or MemoryStore()
        self.blobs = MemoryBlobStore()
        self.speech = SpeechUseCases(
            MockSynthesizer(), MockAligner(), self.store, self.blobs, self.limits
        )
        self.avatars = AvatarUseCases(self.store, self.blobs)
        self.rendering = RenderUseCases(
            MockRenderer(), self.store, self.blobs, self.speech, self.limits
        )
        self.assets = AssetUseCases(self.blobs, self.store, self.limits)

    def blob_names(self, namespace: Namespace) -> list[str]:
        return [b.name for b in self.blobs.list(namespace)]


@pytest.fixture
def world() -> World:
    return World()


def test_lipsync_keeps_the_audio_as_a_blob_and_a_record(world: World) -> None:
    avatar = world.avatars.create_avatar(name="Ada")
    result = world.speech.lipsync(SpeechRequest("Hello there.", avatar_id=avatar.avatar_id))
    record = world.store.get_audio(result.audio.audio_id)
    samples, rate = decode_wav(b"".join(world.blobs.read(Namespace.AUDIOS, record.blob_name)))
    assert rate == result.timed.speech.sample_rate
    assert len(samples) / rate == pytest.approx(record.duration)
    assert result.timed.visemes["oculus"][-1].end == record.duration


def test_lipsync_for_a_missing_avatar_keeps_nothing(world: World) -> None:
    with pytest.raises(NotFound):
        world.speech.lipsync(SpeechRequest("Hello", avatar_id="nobody"))
    assert world.blob_names(Namespace.AUDIOS) == []


def test_a_failing_row_write_removes_the_blob_written_before_it() -> None:
    class RowFails(MemoryStore):
        def add_audio(self, record: AudioRecord) -> AudioRecord:
            raise RuntimeError("database went away")

    world = World(store=RowFails())
    with pytest.raises(RuntimeError):
        world.speech.lipsync(SpeechRequest("Hello"))
    assert world.blob_names(Namespace.AUDIOS) == []


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_blank_text_is_invalid(world: World, text: str) -> None:
    with pytest.raises(Invalid) as caught:
        world.speech.lipsync(SpeechRequest(text))
    assert caught.value.field == "text"


def test_text_over_the_limit_is_too_large() -> None:
    world = World(Limits(max_text_chars=10))
    with pytest.raises(TooLarge):
        world.speech.lipsync(SpeechRequest("x" * 11))


def test_unknown_viseme_set_is_invalid(world: World) -> None:
    with pytest.raises(Invalid):
        world.speech.timed_speech(SpeechRequest("hi", viseme_sets=("nope",)))  # type: ignore[arg-type]


def test_deleting_an_avatar_removes_its_sessions_records_and_blobs(world: World) -> None:
    avatar = world.avatars.create_avatar()
    session = world.avatars.create_session(avatar.avatar_id)
    direct = world.speech.lipsync(SpeechRequest("one", avatar_id=avatar.avatar_id))
    via_session = world.speech.lipsync(
        SpeechRequest("two", avatar_id=avatar.avatar_id, session_id=session.session_id)
    )
    frame = world.rendering.render_frame(FrameRequest(avatar.avatar_id, 64, 64))
    other = world.speech.lipsync(SpeechRequest("kept"))

    deleted = world.avatars.delete_avatar(avatar.avatar_id)

    assert {a.audio_id for a in deleted.audios} == {
        direct.audio.audio_id,
        via_session.audio.audio_id,
    }
    assert [r.render_id for r in deleted.renders] == [frame.render_id]
    with pytest.raises(NotFound):
        world.avatars.get_session(session.session_id)
    assert world.blob_names(Namespace.AUDIOS) == [other.audio.blob_name]
    assert world.blob_names(Namespace.RENDERS) == []


def test_deleting_a_session_removes_only_its_audio(world: World) -> None:
    avatar = world.avatars.create_avatar()
    session = world.avatars.create_session(avatar.avatar_id)
    inside = world.speech.lipsync(
        SpeechRequest("in", avatar_id=avatar.avatar_id, session_id=session.session_id)
    )
    outside = world.speech.lipsync(SpeechRequest("out", avatar_id=avatar.avatar_id))
    world.avatars.delete_session(session.session_id)
    assert world.blob_names(Namespace.AUDIOS) == [outside.audio.blob_name]
    with pytest.raises(NotFound):
        world.store.get_audio(inside.audio.audio_id)
    world.avatars.get_avatar(avatar.avatar_id)


def test_a_failing_blob_delete_does_not_undo_the_committed_delete(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    avatar = world.avatars.create_avatar()
    world.speech.lipsync(SpeechRequest("one", avatar_id=avatar.avatar_id))
    monkeypatch.setattr(world.blobs, "delete", lambda *a: (_ for _ in ()).throw(OSError("disk")))
    world.avatars.delete_avatar(avatar.avatar_id)
    with pytest.raises(NotFound):
        world.avatars.get_avatar(avatar.avatar_id)
    assert len(world.blob_names(Namespace.AUDIOS)) == 1, "the orphan is left for gc"


def test_presets_apply_under_the_given_state(world: World) -> None:
    preset = world.avatars.create_preset(settings={"hair_color": "#111111", "expression": "happy"})
    avatar = world.avatars.create_avatar(state={"expression": "sad"}, preset_id=preset.preset_id)
    assert avatar.state.hair_color == "#111111"
    assert avatar.state.expression == "sad"


def test_invalid_preset_settings_are_refused(world: World) -> None:
    with pytest.raises(Invalid) as caught:
        world.avatars.create_preset(settings={"hair_color": "green"})
    assert caught.value.field == "state.hair_color"


def test_patching_with_a_stale_version_fails_and_changes_nothing(world: World) -> None:
    avatar = world.avatars.create_avatar()
    world.avatars.patch_state(avatar.avatar_id, {"expression": "happy"}, avatar.version)
    with pytest.raises(PreconditionFailed):
        world.avatars.patch_state(avatar.avatar_id, {"expression": "sad"}, avatar.version)
    current = world.avatars.get_avatar(avatar.avatar_id)
    assert current.state.expression == "happy" and current.version == avatar.version + 1


def test_client_ids_are_validated(world: World) -> None:
    with pytest.raises(Invalid) as caught:
        world.avatars.create_avatar(avatar_id="../etc")
    assert caught.value.field == "avatar_id"


def test_frame_render_is_kept_and_out_of_bounds_sizes_are_invalid(world: World) -> None:
    avatar = world.avatars.create_avatar()
    record = world.rendering.render_frame(
        FrameRequest(avatar.avatar_id, 32, 48, pose=Pose(viseme="aa"))
    )
    assert world.assets.render_blob(record.render_id).content_type == "image/png"
    with pytest.raises(Invalid) as caught:
        world.rendering.render_frame(FrameRequest(avatar.avatar_id, 8, 48))
    assert caught.value.field == "width"


def test_sequence_from_text_runs_lipsync_then_renders_a_video(world: World) -> None:
    avatar = world.avatars.create_avatar()
    record = world.rendering.render_sequence(
        SequenceRequest(
            avatar.avatar_id,
            speech=SpeechRequest("Hi there"),
            width=32,
            height=32,
            fps=10,
            format="gif",
        )
    )
    audio = world.store.list_audios(avatar_id=None).items[0]
    video_seconds = LEAD_IN + audio.duration + SETTLE  # rest before the speech, a settle after
    assert record.duration is not None and abs(record.duration - video_seconds) <= 1 / 10
    assert record.frames is not None and abs(record.frames - video_seconds * 10) <= 1


def test_sequence_needs_exactly_one_of_text_and_audio(world: World) -> None:
    avatar = world.avatars.create_avatar()
    with pytest.raises(Invalid):
        world.rendering.render_sequence(SequenceRequest(avatar.avatar_id, format="gif"))


def test_asset_upload_over_the_limit_keeps_nothing() -> None:
    world = World(Limits(max_file_size=10))
    with pytest.raises(TooLarge):
        world.assets.upload("big.bin", [b"x" * 6, b"y" * 6])
    assert world.assets.list_assets() == []


def test_an_aligner_that_doubts_an_engines_own_audio_is_overruled() -> None:
    """Engine audio of a text matches it by construction: a refusal that carries an
    alignment gives that alignment, not a 422; the aligner's other errors still stand."""

    class Untimed(MockSynthesizer):
        def synthesize(self, request: SynthesisRequest) -> Speech:
            return replace(super().synthesize(request), phonemes=None, words=None)

    class Doubting(MockAligner):
        def align(self, samples: Any, rate: int, text: str, voice_id: str | None = None) -> Any:
            found = super().align(samples, rate, text, voice_id)
            raise TranscriptMismatch("the transcript stops matching the audio at word 2", found)

    speech = SpeechUseCases(Untimed(), Doubting(), MemoryStore(), MemoryBlobStore(), Limits())
    timed = speech.timed_speech(SpeechRequest("Hello there, friend."))
    assert timed.timing == "aligned"
    assert [w.text for w in timed.alignment.words] == ["Hello", "there", "friend"]
    with pytest.raises(TranscriptMismatch):
        speech.align(timed.speech.samples, timed.speech.sample_rate, "Hello there, friend.")
