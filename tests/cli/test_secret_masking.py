"""Secrets never appear in ``avatar config`` or in the logs: API keys, S3, webhook and plugin
secrets, database passwords, and the Authorization / X-API-Key headers of requests."""

from __future__ import annotations

import json
import logging

import pytest
import structlog
from click.testing import CliRunner
from litestar.testing import TestClient
from support import IN_MEMORY, MOCK_SPEECH

from avatar_service.entrypoints import cli
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.logging import configure_logging
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager

API_KEY = "very-secret-api-key-0123456789"
S3_SECRET = "s3-secret-abcdef-987654"
PLUGIN_TOKEN = "plugin-token-5551212"
DB_PASSWORD = "db-password-424242"
WEBHOOK_SECRET = "webhook-signing-secret-777"


@pytest.fixture
def secrets_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVATAR_API_KEYS", f"{API_KEY}:admin")
    monkeypatch.setenv("AVATAR_STORAGE__S3_SECRET_ACCESS_KEY", S3_SECRET)
    monkeypatch.setenv("AVATAR_JOB__WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("AVATAR_OPTIONS__WEBHOOKS__SIGNING_TOKEN", PLUGIN_TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"postgresql://avatar:{DB_PASSWORD}@db.example/avatar")
    monkeypatch.setenv("ASSETS_DIR", f"s3://user:{S3_SECRET}@bucket/assets")


@pytest.mark.usefixtures("secrets_in_env")
@pytest.mark.parametrize("as_json", [False, True])
def test_config_masks_every_secret(runner: CliRunner, as_json: bool) -> None:
    result = runner.invoke(cli.main, ["config", *(["--json"] if as_json else [])])
    assert result.exit_code == 0, result.output
    for secret in (API_KEY, S3_SECRET, PLUGIN_TOKEN, DB_PASSWORD, WEBHOOK_SECRET):
        assert secret not in result.output
    if as_json:
        data = json.loads(result.stdout)
        assert data["api_keys"] == "**********"
        assert data["job"]["webhook_secret"] == "**********"
        assert data["options"]["webhooks"]["signing_token"] == "**********"
        assert data["database_url"] == "postgresql://avatar:***@db.example/avatar"
    else:
        assert "storage.s3_secret_access_key = **********" in result.stdout


def _configure(settings: Settings) -> None:
    """The service's logging, minus logger caching: a module-level logger used here must not
    stay bound to this configuration in later tests."""
    configure_logging(settings)
    structlog.configure(cache_logger_on_first_use=False)


def test_log_lines_mask_headers_and_secret_fields(capsys: pytest.CaptureFixture[str]) -> None:
    _configure(Settings(log={"format": "json"}, _env_file=None))
    log = structlog.get_logger("test.masking")
    log.info(
        "outgoing call",
        headers={"Authorization": f"Bearer {API_KEY}", "X-Api-Key": API_KEY},
        secret_key=S3_SECRET,
        url=f"postgresql://u:{DB_PASSWORD}@h/db",
        x_api_key=API_KEY,
    )
    logging.getLogger("test.stdlib").warning("plain %s", "line")
    err = capsys.readouterr().err
    line = json.loads(err.splitlines()[0])
    for secret in (API_KEY, S3_SECRET, DB_PASSWORD):
        assert secret not in err
    assert line["headers"]["Authorization"] == "**********"
    assert line["url"] == "postgresql://u:***@h/db"


def test_a_request_with_a_key_logs_no_key(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(
        **MOCK_SPEECH,
        **IN_MEMORY,
        api_keys=API_KEY,
        log={"format": "json", "level": "debug"},
        _env_file=None,
    )
    _configure(settings)
    container = bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))
    with TestClient(create_app(container), base_url="http://127.0.0.1") as client:
        assert client.get("/v1/voices", headers={"Authorization": f"Bearer {API_KEY}"}).is_success
        assert client.get("/v1/voices", headers={"X-API-Key": API_KEY}).is_success
        assert client.get("/v1/voices", headers={"X-API-Key": API_KEY + "x"}).status_code == 401
    err = capsys.readouterr().err
    assert '"path":"/v1/voices"' in err.replace(" ", "")
    assert API_KEY not in err
