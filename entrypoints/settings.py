"""Service settings: environment (prefix ``AVATAR_``, nested with ``__``), ``.env``, and the
roadmap's plain names (``DATABASE_URL``, ``MAX_FILE_SIZE``, ...) as aliases."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from avatar_service.core.limits import Limits
from avatar_service.entrypoints.settings_sections import (
    DatabaseSettings,
    HttpSettings,
    JobSettings,
    LimitSettings,
    LogSettings,
    NodeRendererSettings,
    ServerSettings,
    SpeechSettings,
    StorageSettings,
    StreamSettings,
    VisemeSettings,
    env_alias,
)

if TYPE_CHECKING:  # core.loudness needs numpy: imported where a target is made
    from avatar_service.core.loudness import LoudnessTarget

__all__ = [
    "MASK",
    "DatabaseSettings",
    "HttpSettings",
    "JobSettings",
    "LimitSettings",
    "LogSettings",
    "NodeRendererSettings",
    "ServerSettings",
    "Settings",
    "SpeechSettings",
    "StorageSettings",
    "StreamSettings",
    "VisemeSettings",
    "mask_secrets",
    "mask_url",
]


class Settings(BaseSettings):
    """Every setting has a default that works on a fresh clone with no configuration."""

    model_config = SettingsConfigDict(
        env_prefix="AVATAR_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    env: Literal["development", "production"] = "development"

    # One adapter per port, by registered name.
    tts: str = "auto"
    """``auto``: every Piper and espeak voice, a neural (Piper) voice by default when one is
    installed, else espeak; ``piper`` or ``espeak`` for one engine only."""
    aligner: str = "auto"
    """``auto`` (``phonenet`` for English voices, ``dtw`` for the others), ``phonenet`` (US
    English, word confidence), ``dtw`` (any espeak language), ``pocketsphinx`` (US English),
    ``engine`` or ``mock``: docs/alignment.md compares them."""
    renderer: str = "node"
    store: str = "sqlmodel"
    blobs: str = "fsspec"
    jobs: str = "embedded"
    """Job queue: ``embedded`` or ``dramatiq`` (settings under ``job``)."""
    webhooks: str = "urllib"
    recognizer: str = "phonenet"
    """Phone recogniser of lip sync from audio alone (``/v1/lipsync/audio``, ``/listen``):
    ``phonenet`` or ``pocketsphinx`` (docs/recognition.md compares them), ``mock``."""

    data_dir: Path = Path("./data")
    """``AVATAR_DATA_DIR``: where the service keeps its data; the database URL, the asset, audio
    and render locations and the Piper voices folder default to places inside it (each one set
    explicitly wins). ``avatar serve`` and every command use the same one."""
    database_url: SecretStr = env_alias("DATABASE_URL", SecretStr("sqlite:///./data/avatar.db"))
    piper_model_path: Path | None = env_alias("PIPER_MODEL_PATH", None)
    assets_dir: str = env_alias("ASSETS_DIR", "./data/assets")
    audios_dir: str = env_alias("AUDIOS_DIR", "./data/audios")
    renders_dir: str = env_alias("RENDERS_DIR", "./data/renders")
    node_path: str = env_alias("NODE_PATH", "node")
    ffmpeg_path: str | None = env_alias("FFMPEG_PATH", None)
    max_render_time: float = env_alias("MAX_RENDER_TIME", 30.0)
    max_file_size: int = env_alias("MAX_FILE_SIZE", 500 * 1024 * 1024)
    redis_url: str = env_alias("REDIS_URL", "redis://127.0.0.1:6379/0")
    """Redis of the ``dramatiq`` job queue."""

    server: ServerSettings = ServerSettings()
    log: LogSettings = LogSettings()
    limits: LimitSettings = LimitSettings()
    node_renderer: NodeRendererSettings = NodeRendererSettings()
    speech: SpeechSettings = SpeechSettings()
    database: DatabaseSettings = DatabaseSettings()
    storage: StorageSettings = StorageSettings()
    job: JobSettings = JobSettings()
    http: HttpSettings = HttpSettings()
    stream: StreamSettings = StreamSettings()
    visemes: VisemeSettings = VisemeSettings()
    api_keys: SecretStr = SecretStr("")
    """``AVATAR_API_KEYS``: keys every ``/v1`` request must present (format: docs/security.md);
    keys made with ``avatar keys create`` count as well."""
    allow_anonymous: bool = False
    """``AVATAR_ALLOW_ANONYMOUS``: serve a non-loopback address with no key configured."""
    options: dict[str, dict[str, Any]] = {}
    """Adapter options, as given: ``AVATAR_OPTIONS__SINE__FREQUENCY=220`` -> ``{"sine":
    {"frequency": "220"}}``; an adapter that registered an options model gets them validated
    (``plugins/options.py``)."""

    def loudness_target(self) -> LoudnessTarget | None:
        lufs = self.speech.loudness_lufs
        from avatar_service.core.loudness import LoudnessTarget

        return None if lufs is None else LoudnessTarget(lufs, self.speech.true_peak_dbtp)

    @model_validator(mode="after")
    def _follow_data_dir(self) -> Settings:
        """Locations not set explicitly are derived from ``data_dir``."""
        derived = {
            "database_url": SecretStr(f"sqlite:///{self.in_data_dir('avatar.db')}"),
            "assets_dir": self.in_data_dir("assets"),
            "audios_dir": self.in_data_dir("audios"),
            "renders_dir": self.in_data_dir("renders"),
        }
        for name, value in derived.items():
            if name not in self.model_fields_set:
                object.__setattr__(self, name, value)  # derived, so not marked as set
        if "piper_voices_dir" not in self.speech.model_fields_set:
            voices = Path(self.in_data_dir("voices"))
            object.__setattr__(
                self, "speech", self.speech.model_copy(update={"piper_voices_dir": voices})
            )
        if "temp_dir" not in self.storage.model_fields_set:
            temp = Path(self.in_data_dir("tmp"))
            object.__setattr__(self, "storage", self.storage.model_copy(update={"temp_dir": temp}))
        return self

    def in_data_dir(self, name: str) -> str:
        """``data_dir / name`` as a path string (a relative one keeps its leading ``./``)."""
        folder = self.data_dir.as_posix()
        if not self.data_dir.is_absolute() and not folder.startswith("."):
            folder = f"./{folder}"
        return f"{folder.rstrip('/')}/{name}"

    def core_limits(self) -> Limits:
        return Limits(max_file_size=self.max_file_size, **self.limits.model_dump())

    def public_dict(self) -> dict[str, Any]:
        """Effective settings for display, secrets masked (credentials in URLs included)."""
        data = self.model_dump(mode="json")
        data["database_url"] = mask_url(self.database_url.get_secret_value())
        masked = mask_secrets(data)
        assert isinstance(masked, dict)
        return masked


def mask_url(url: str) -> str:
    """``scheme://user:secret@host`` -> ``scheme://user:***@host``; other URLs unchanged."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user, colon, _password = credentials.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{host}"


SECRET_NAME = re.compile(r"secret|password|passwd|token|api_?key|access_key|credential", re.I)
MASK = "**********"


def mask_secrets(value: Any, name: str = "") -> Any:
    """``value`` with every string under a secret-sounding key (``*secret*``, ``*token*``,
    ``*password*``, ``*api_key*``, ...) masked and credentials in URLs removed, recursively."""
    if isinstance(value, dict):
        return {key: mask_secrets(item, str(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_secrets(item, name) for item in value]
    if isinstance(value, str):
        if value and SECRET_NAME.search(name):
            return MASK
        return mask_url(value)
    return value
