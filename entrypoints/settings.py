"""Service settings: environment (prefix ``AVATAR_``, nested with ``__``), ``.env``, and the
roadmap's plain names (``DATABASE_URL``, ``MAX_FILE_SIZE``, ...) as aliases."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from avatar_service.core.limits import Limits


def _alias(name: str, default: Any) -> Any:
    """Accept ``AVATAR_<NAME>`` and the plain ``<NAME>`` (the plain one is the roadmap's)."""
    return Field(default, validation_alias=AliasChoices(f"AVATAR_{name}", name))


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    """Uvicorn worker processes (only for stateless, shared-storage set-ups)."""


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
    tts: str = "mock"
    aligner: str = "mock"
    renderer: str = "mock"
    store: str = "memory"
    blobs: str = "memory"

    database_url: SecretStr = _alias("DATABASE_URL", SecretStr("sqlite:///./data/avatar.db"))
    piper_model_path: Path | None = _alias("PIPER_MODEL_PATH", None)
    assets_dir: str = _alias("ASSETS_DIR", "./data/assets")
    audios_dir: str = _alias("AUDIOS_DIR", "./data/audios")
    renders_dir: str = _alias("RENDERS_DIR", "./data/renders")
    node_path: str = _alias("NODE_PATH", "node")
    ffmpeg_path: str | None = _alias("FFMPEG_PATH", None)
    max_render_time: float = _alias("MAX_RENDER_TIME", 30.0)
    max_file_size: int = _alias("MAX_FILE_SIZE", 500 * 1024 * 1024)

    server: ServerSettings = ServerSettings()
    log: LogSettings = LogSettings()
    limits: LimitSettings = LimitSettings()
    options: dict[str, dict[str, Any]] = {}
    """Per-plugin options: ``AVATAR_OPTIONS__SINE__FREQUENCY=220`` -> ``{"sine": {...}}``."""

    def core_limits(self) -> Limits:
        return Limits(max_file_size=self.max_file_size, **self.limits.model_dump())

    def public_dict(self) -> dict[str, Any]:
        """Effective settings for display, secrets masked (credentials in URLs included)."""
        data = self.model_dump(mode="json")
        data["database_url"] = mask_url(self.database_url.get_secret_value())
        return data


def mask_url(url: str) -> str:
    """``scheme://user:secret@host`` -> ``scheme://user:***@host``; other URLs unchanged."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user, colon, _password = credentials.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{host}"
