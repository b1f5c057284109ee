"""The ports. Adapters implement them; ``contracts/`` tests exactly what is written here.

All ports are synchronous and must be safe to call from several threads at once. Every port
has ``check()``: return ``None`` when usable, else raise ``Unavailable`` saying what is missing
and how to fix it (``/ready`` and ``avatar doctor`` call it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from avatar_service.core.auth import ApiKey
from avatar_service.core.avatar import AvatarState, Pose
from avatar_service.core.jobs import Job, JobFilter, JobStatus, JobUpdate, WebhookDelivery
from avatar_service.core.recognition import TranscriptHint
from avatar_service.core.records import (
    AudioRecord,
    Avatar,
    BlobInfo,
    Deleted,
    Namespace,
    Page,
    Preset,
    RenderRecord,
    Session,
)
from avatar_service.core.speech import (
    Alignment,
    FloatArray,
    PhonemizedWord,
    Speech,
    SynthesisOptions,
    TimedPhoneme,
    Timeline,
    Voice,
)
from avatar_service.core.ssml import MarkedSpeech, SsmlDocument, SsmlSupport
from avatar_service.core.tenancy import TenantScope

ProgressCallback = Callable[[float], None]
"""Called with the fraction done, 0.0..1.0, non-decreasing."""


@runtime_checkable
class SpeechSynthesizer(Protocol):
    """Text to speech with the timings the engine knows.

    - ``voices()`` lists at least one voice; ids are unique.
    - ``phonemize(text, voice_id)`` returns the words of ``text`` in order, each with its
      ``[char_start, char_end)`` offsets into ``text`` and its IPA phonemes; no audio is made.
    - ``synthesize(text, voice_id, options)`` returns ``Speech``: mono float32 samples in
      [-1, 1], non-empty for any text that has a word. When ``phonemes``/``words`` are not
      ``None`` they are ordered, non-overlapping, with ``0 <= start <= end <= duration``; each
      word's span covers its phonemes' spans and its char offsets slice ``text``.
    - Text with no speakable content (empty, whitespace) raises ``Invalid`` (field ``text``);
      an unknown voice raises ``NotFound`` whose message names voices (field ``voice``);
      out-of-range options raise ``Invalid``. Never any other exception for bad input.
    - ``voice_id=None`` means the engine's default voice.
    """

    def voices(self) -> list[Voice]: ...

    def phonemize(self, text: str, voice_id: str | None = None) -> list[PhonemizedWord]: ...

    def synthesize(
        self, text: str, voice_id: str | None = None, options: SynthesisOptions | None = None
    ) -> Speech: ...

    def check(self) -> None: ...


@runtime_checkable
class SsmlSynthesizer(Protocol):
    """Optional ``SpeechSynthesizer`` capability: SSML input (the subset in ``core.ssml``).

    - ``ssml_support(voice_id)`` names the elements and ``say-as`` values the voice honours;
      an unknown voice raises ``NotFound`` as ``synthesize`` does.
    - ``synthesize_ssml(document, voice_id, options)`` speaks a parsed document. Its ``Speech``
      keeps the ``synthesize`` contract, its phonemes and words are never ``None``, word char
      offsets point into ``document.source``; marks come in document order, ``0 <= time <=
      duration``.
    """

    def ssml_support(self, voice_id: str | None = None) -> SsmlSupport: ...

    def synthesize_ssml(
        self,
        document: SsmlDocument,
        voice_id: str | None = None,
        options: SynthesisOptions | None = None,
    ) -> MarkedSpeech: ...


@runtime_checkable
class VoiceCatalogue(Protocol):
    """Optional ``SpeechSynthesizer`` capability: which voice speaks by default, and what an
    operator should know about the voices (said once at start-up and by ``avatar doctor``).

    - ``default_voice()`` is the voice ``voice_id=None`` speaks with; it is listed by
      ``voices()``.
    - ``notices()`` are one-line messages (e.g. no neural voice installed), possibly none.
    """

    def default_voice(self) -> Voice: ...

    def notices(self) -> tuple[str, ...]: ...


@runtime_checkable
class Aligner(Protocol):
    """Timings for audio that came without them.

    ``align(samples, sample_rate, text, voice_id)`` returns phonemes and words ordered,
    non-overlapping and inside ``[0, len(samples) / sample_rate]``; words in text order with
    char offsets into ``text``. Empty audio, empty text or a non-positive rate raise
    ``Invalid``; a transcript that cannot match the audio raises ``Invalid`` (field ``text``).
    """

    def align(
        self, samples: FloatArray, sample_rate: int, text: str, voice_id: str | None = None
    ) -> Alignment: ...

    def check(self) -> None: ...


@runtime_checkable
class PhoneRecognizer(Protocol):
    """Phones with times from audio alone, for recordings that come without timings.

    - ``languages()`` names the languages covered (primary subtags such as ``en``); non-empty.
    - ``recognize(samples, sample_rate, hint)`` returns an ``Alignment`` whose phonemes (IPA,
      no silence symbols) are ordered, non-overlapping, at least 1 ms long and inside
      ``[0, len(samples) / sample_rate]``; silence and sounds that are not speech give no
      phoneme. Without ``hint`` ``words`` is empty; with one, ``words`` has exactly one entry
      per word of ``hint.text`` (``core.words.text_words``) in order, with char offsets into
      it, and every phoneme's ``word_index`` points into ``words`` (or is ``None``).
    - Any sample rate is accepted. Empty audio raises ``Invalid`` (field ``audio``), a
      non-positive rate ``Invalid`` (field ``sample_rate``), a hint with no word ``Invalid``
      (field ``text``). The same input gives the same output every time.
    """

    def languages(self) -> frozenset[str]: ...

    def recognize(
        self, samples: FloatArray, sample_rate: int, hint: TranscriptHint | None = None
    ) -> Alignment: ...

    def check(self) -> None: ...


@runtime_checkable
class PhoneStream(Protocol):
    """One live audio stream being recognised (from ``StreamingRecognizer.open_stream``).

    ``feed(samples)`` adds audio (mono float32 at the stream's rate) and returns the current
    best phones of the whole stream (times in seconds from its start, ordered, inside the
    audio fed so far); the last phones may still change as audio comes, earlier ones rarely
    do. A phone still sounding ends at the end of the audio fed. ``close()`` releases it (twice
    is fine).
    """

    def feed(self, samples: FloatArray) -> tuple[TimedPhoneme, ...]: ...

    def close(self) -> None: ...


@runtime_checkable
class StreamingRecognizer(Protocol):
    """Optional ``PhoneRecognizer`` capability: live recognition. ``open_stream(rate)`` returns
    a new ``PhoneStream`` (streams are independent; each is used by one thread at a time); a
    non-positive rate raises ``Invalid`` (field ``sample_rate``)."""

    def open_stream(self, sample_rate: int) -> PhoneStream: ...


@dataclass(frozen=True, slots=True)
class RenderedVideo:
    """A finished video file owned by the caller (delete it when done)."""

    path: Path
    format: str
    content_type: str
    duration: float
    fps: int
    frames: int
    width: int
    height: int


@runtime_checkable
class Renderer(Protocol):
    """Avatar state plus pose or timeline to pixels.

    - ``image_formats`` / ``video_formats``: what this renderer can produce (lowercase).
    - ``render_frame`` returns encoded image bytes of exactly ``width`` x ``height`` in
      ``format``.
    - ``render_sequence`` writes a video to a new file and returns it: ``frames`` equals
      ``round(timeline.duration * fps)`` and ``duration`` is within one frame of
      ``timeline.duration``; the audio (PCM16 WAV bytes, or ``None``) is muxed in when the
      format carries sound. ``progress`` receives non-decreasing fractions ending at 1.0.
    - An unsupported format or size raises ``Invalid``; work over the renderer's time limit
      raises ``TimedOut``; a saturated renderer raises ``Unavailable``.
    """

    image_formats: frozenset[str]
    video_formats: frozenset[str]

    def render_frame(
        self, state: AvatarState, pose: Pose, width: int, height: int, format: str
    ) -> bytes: ...

    def render_sequence(
        self,
        state: AvatarState,
        timeline: Timeline,
        audio_wav: bytes | None,
        width: int,
        height: int,
        fps: int,
        format: str,
        progress: ProgressCallback | None = None,
    ) -> RenderedVideo: ...

    def check(self) -> None: ...


@runtime_checkable
class Store(Protocol):
    """Persistence of avatars, sessions, presets, audio and render records.

    - Ids are unique per kind: creating an existing id raises ``Conflict``; reading, updating
      or deleting a missing one raises ``NotFound``.
    - ``update_avatar``/``update_preset`` with ``expected_version`` raise
      ``PreconditionFailed`` unless it equals the stored version; every successful update
      increments the version by exactly 1, atomically (no lost update under concurrency).
    - ``delete_session`` soft-deletes the session (it then reads as ``NotFound``, is left out
      of listings, and its id stays taken: reusing it is a ``Conflict``) and removes its audio
      and render records; ``delete_avatar`` removes the avatar, all its sessions (soft-deleted
      ones included, listed in ``Deleted.sessions``) and every audio and render record that
      names it or one of its sessions. Both return what they removed, so the caller can
      delete the blobs after the commit.
    - Records naming a missing avatar or session raise ``NotFound``.
    - Listings are ordered oldest first (``created_at``, then id), ``limit`` items at most,
      with an opaque ``cursor``; a bad cursor raises ``Invalid``.

    Tenancy (``core.tenancy``): a store acts in one tenant, ``DEFAULT_TENANT`` as built;
    ``scoped(tenant)`` is a view of the same data acting in ``tenant`` (``ALL_TENANTS``:
    across tenants). In a tenant's view every record created belongs to that tenant (its
    ``tenant`` field is set to it); every read, listing, update and delete sees only that
    tenant's records, and another tenant's id reads exactly as a missing one (``NotFound``),
    cascades included. Avatar, session and preset ids are unique per tenant: another tenant's
    id can be created again (no ``Conflict``) as a separate record. Audio and render ids are
    made by the server (random) and unique across tenants. In the cross-tenant view listings
    span every tenant and audio and render records are read (and, with ``RecordRemover``,
    removed) by id; creating anything, and reading, changing or deleting an avatar, session or
    preset, raises ``Invalid`` (field ``tenant``).
    """

    def scoped(self, tenant: TenantScope) -> Store: ...

    def create_avatar(self, avatar: Avatar) -> Avatar: ...
    def get_avatar(self, avatar_id: str) -> Avatar: ...
    def list_avatars(self, *, limit: int = 50, cursor: str | None = None) -> Page[Avatar]: ...
    def update_avatar(
        self, avatar_id: str, *, name: str | None = None, state: AvatarState | None = None,
        expected_version: int | None = None,
    ) -> Avatar: ...  # fmt: skip
    def delete_avatar(self, avatar_id: str) -> Deleted: ...

    def create_session(self, session: Session) -> Session: ...
    def get_session(self, session_id: str) -> Session: ...
    def list_sessions(
        self, *, avatar_id: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page[Session]: ...
    def delete_session(self, session_id: str) -> Deleted: ...

    def create_preset(self, preset: Preset) -> Preset: ...
    def get_preset(self, preset_id: str) -> Preset: ...
    def list_presets(self, *, limit: int = 50, cursor: str | None = None) -> Page[Preset]: ...
    def update_preset(
        self, preset_id: str, *, name: str | None = None, settings: dict[str, object] | None = None,
        expected_version: int | None = None,
    ) -> Preset: ...  # fmt: skip
    def delete_preset(self, preset_id: str) -> None: ...

    def add_audio(self, record: AudioRecord) -> AudioRecord: ...
    def get_audio(self, audio_id: str) -> AudioRecord: ...
    def list_audios(
        self, *, avatar_id: str | None = None, session_id: str | None = None,
        limit: int = 50, cursor: str | None = None,
    ) -> Page[AudioRecord]: ...  # fmt: skip

    def add_render(self, record: RenderRecord) -> RenderRecord: ...
    def get_render(self, render_id: str) -> RenderRecord: ...
    def list_renders(
        self, *, avatar_id: str | None = None, session_id: str | None = None,
        limit: int = 50, cursor: str | None = None,
    ) -> Page[RenderRecord]: ...  # fmt: skip

    def check(self) -> None: ...


@runtime_checkable
class BlobStore(Protocol):
    """Named byte objects in three namespaces.

    - Every name goes through ``core.blobnames.safe_blob_name`` first: an unsafe name raises
      ``Invalid`` and touches nothing.
    - ``write`` consumes ``chunks`` one at a time (never the whole object in memory), computes
      the sha256, and makes the object visible only when complete. Past ``max_size`` bytes it
      raises ``TooLarge``; any failure (including the iterator raising) leaves no object and
      no partial data behind. An existing name raises ``Conflict`` unless ``overwrite``.
    - ``stat``/``read`` of a missing name raise ``NotFound``. ``read(start, end)`` yields the
      bytes ``[start, end)`` (``end=None`` or past the size: to the end) in chunks; ``start ==
      size`` yields nothing; a negative start, a start past the size or ``end < start``
      raise ``Invalid`` (field ``range``). ``BlobInfo.checksum`` is the lowercase hex sha256.
    - ``list`` returns metadata recorded at write time (never re-reading contents), names in
      sorted order, those starting with ``prefix``, at most ``limit``, after ``cursor``
      (the last name of the previous page).
    - ``delete`` returns whether something was deleted.

    Tenancy: a blob store acts in ``DEFAULT_TENANT`` as built; ``scoped(tenant)`` is a view
    acting in ``tenant``, whose objects no other tenant's view can stat, read, list, overwrite
    or delete (the same name in two tenants is two objects). ``tenants()`` names every tenant
    that holds an object or ever did, ``DEFAULT_TENANT`` always included.
    """

    def scoped(self, tenant: str) -> BlobStore: ...
    def tenants(self) -> list[str]: ...

    def write(
        self, namespace: Namespace, name: str, chunks: Iterable[bytes], *, max_size: int,
        content_type: str | None = None, overwrite: bool = False,
    ) -> BlobInfo: ...  # fmt: skip
    def stat(self, namespace: Namespace, name: str) -> BlobInfo: ...
    def read(
        self, namespace: Namespace, name: str, start: int = 0, end: int | None = None
    ) -> Iterator[bytes]: ...
    def list(
        self,
        namespace: Namespace,
        *,
        prefix: str = "",
        limit: int = 1000,
        cursor: str | None = None,
    ) -> list[BlobInfo]: ...
    def delete(self, namespace: Namespace, name: str) -> bool: ...

    def check(self) -> None: ...


@runtime_checkable
class RecordRemover(Protocol):
    """Optional ``Store`` capability (``avatar gc``): remove one audio or render record whose
    blob is gone. A missing id raises ``NotFound``; nothing else is touched (no cascade)."""

    def delete_audio(self, audio_id: str) -> None: ...
    def delete_render(self, render_id: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Leftover:
    """A file a crashed or killed process left behind: ``where`` is the area (a blob
    namespace, ``temp``), ``path`` the file inside it, ``modified`` its last change."""

    where: str
    path: str
    size: int
    modified: datetime


@runtime_checkable
class LeftoverSource(Protocol):
    """Optional capability (``avatar gc``) of a ``BlobStore`` or a temporary-file area: the
    files no object is made of (partial data of a write that was killed, a temporary file a
    killed render left) and their removal.

    - ``leftovers(older_than)`` lists every such file last modified at or before
      ``older_than``; a file of a write or render still in progress is younger than that.
    - ``remove_leftover(item)`` deletes it and returns whether it was there; it never
      deletes anything an object is made of.
    """

    def leftovers(self, older_than: datetime) -> list[Leftover]: ...
    def remove_leftover(self, item: Leftover) -> bool: ...


@runtime_checkable
class KeyStore(Protocol):
    """Optional ``Store`` capability: API keys (``avatar keys``), kept without their secrets.

    - ``add_key`` stores the record; an id already stored raises ``Conflict``.
    - ``get_key`` returns the record, revoked or not; a missing id raises ``NotFound``.
    - ``list_keys`` returns every key, revoked ones included, oldest first (by
      ``created_at``, then id).
    - ``revoke_key`` sets ``revoked_at`` (a key already revoked keeps its first time) and
      returns the record; a missing id raises ``NotFound``. Keys are never deleted.
    - ``has_keys`` is whether any key was ever stored, revoked ones included.
    """

    def add_key(self, key: ApiKey) -> ApiKey: ...
    def get_key(self, key_id: str) -> ApiKey: ...
    def list_keys(self) -> list[ApiKey]: ...
    def revoke_key(self, key_id: str, at: datetime) -> ApiKey: ...
    def has_keys(self) -> bool: ...


@runtime_checkable
class JobStore(Protocol):
    """Optional ``Store`` capability: persistence of render jobs and their webhook deliveries.

    - ``create_job`` of an existing id raises ``Conflict``; ``get_job`` of a missing one
      ``NotFound``.
    - Tenancy as for ``Store``: ``scoped_jobs(tenant)`` is a view acting in ``tenant`` (job
      ids are unique across tenants; the cross-tenant view reads, claims and updates any job
      by id, and creates none).
    - ``list_jobs`` follows the ``Store`` listing rules (oldest first, ``limit``, opaque
      ``cursor``) and keeps the jobs matching every non-``None`` field of ``where``.
    - ``update_job`` applies ``change`` atomically only while the job's status is in
      ``statuses`` (``None``: any) and, when ``owner`` is given, its lease is held by
      ``owner``; it returns the updated job (version + 1), or ``None`` when the condition
      did not hold. A missing job raises ``NotFound``.
    - ``claim_job`` atomically starts the job for ``owner`` until ``lease_until`` when it is
      queued, or running under a lease that expired before ``now``: status running, attempts
      + 1, ``started_at`` set on the first claim. Otherwise it returns ``None`` and changes
      nothing; of concurrent claims at most one wins.
    - ``add_webhook_delivery`` records one attempt (its job must exist: ``NotFound``);
      ``list_webhook_deliveries`` returns a job's attempts in the order they were made.
    """

    def scoped_jobs(self, tenant: TenantScope) -> JobStore: ...
    def create_job(self, job: Job) -> Job: ...
    def get_job(self, job_id: str) -> Job: ...
    def list_jobs(
        self, *, where: JobFilter | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page[Job]: ...
    def update_job(
        self, job_id: str, change: JobUpdate, *, statuses: frozenset[JobStatus] | None = None,
        owner: str | None = None,
    ) -> Job | None: ...  # fmt: skip
    def claim_job(
        self, job_id: str, owner: str, *, lease_until: datetime, now: datetime
    ) -> Job | None: ...
    def add_webhook_delivery(self, delivery: WebhookDelivery) -> WebhookDelivery: ...
    def list_webhook_deliveries(self, job_id: str) -> list[WebhookDelivery]: ...


JobHandler = Callable[[str], None]
"""Runs one job by id to its end; it never raises for a job's own failure."""


@runtime_checkable
class JobQueue(Protocol):
    """Hands job ids to workers; the job's state lives in the ``JobStore``, never here.

    - ``enqueue(job_id)`` returns once the id is handed over. Delivery is at least once: an id
      may reach a handler more than once (the handler is idempotent), and a worker that dies
      mid-job has its job handed to another (distributed queues) or resumed at start-up from
      the store (in-process queues).
    - ``in_process``: ``True`` when the workers run inside the serving process (the API starts
      them); ``False`` when separate ``avatar worker`` processes run them.
    - ``start(handler, concurrency)`` runs ``handler(job_id)`` for delivered ids in up to
      ``concurrency`` threads of this process and returns at once; ``close()`` stops taking
      work, waits briefly for running handlers, releases connections, and may be called twice.
    - ``depth()`` is how many ids wait (best effort); ``check()`` as for every port.
    """

    in_process: bool

    def enqueue(self, job_id: str) -> None: ...
    def start(self, handler: JobHandler, concurrency: int) -> None: ...
    def depth(self) -> int: ...
    def close(self) -> None: ...
    def check(self) -> None: ...


@runtime_checkable
class WebhookSender(Protocol):
    """POSTs a webhook: ``post(url, body, headers, timeout)`` returns the response's HTTP
    status (any status: the caller decides what counts as delivered); no response at all
    (refused, unresolvable, timed out after ``timeout`` seconds) raises ``Unavailable``
    without the network's reason (clients read the delivery records). Redirects are not
    followed. A sender that connects itself applies its ``DestinationPolicy`` to the resolved
    addresses, connects only to an admitted one and raises ``RefusedDestination`` when none is
    (``core/webhook_targets.py``)."""

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int: ...

    def check(self) -> None: ...
