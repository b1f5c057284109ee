"""Server-side request forgery through ``webhook_url``: every non-public destination is
refused at submission (422) and again at delivery, after resolution, with the connection
pinned to the checked address; delivery records never echo network errors."""

from __future__ import annotations

import http.server
import ipaddress
import socket
import threading
from collections.abc import Callable
from typing import Any

import pytest
from attack_kit import assert_problem, build_container

from avatar_service.adapters.jobs.embedded import EmbeddedJobQueue
from avatar_service.adapters.webhooks.urllib_sender import UrllibWebhookSender
from avatar_service.core.errors import Invalid, Unavailable
from avatar_service.core.jobs import WebhookState
from avatar_service.core.usecases.render_requests import Animation, AnimationRequest
from avatar_service.core.webhook_targets import (
    REFUSED_PRIVATE,
    Address,
    DestinationPolicy,
    RefusedDestination,
    parse_networks,
)
from avatar_service.entrypoints.jobs_wiring import build_jobs
from avatar_service.entrypoints.settings import JobSettings, Settings

PRIVATE_URLS = [
    "http://127.0.0.1/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.1/",
    "http://127.1/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://127.0.0.1./",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    "http://localhost/",
    "http://LOCALHOST:8000/",
    "http://api.localhost/",
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://[fd00:ec2::254]/",
    "http://10.0.0.1/",
    "http://172.16.3.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://[fc00::1]/",
    "http://[fe80::1]/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://198.18.0.1/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
]
SECRET = "hook-secret"
BLINK = {"name": "blink", "width": 32, "height": 32, "fps": 10}


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_every_spelling_of_a_private_destination_is_refused(url: str) -> None:
    with pytest.raises(RefusedDestination) as caught:
        DestinationPolicy().target(url)
    assert caught.value.message == REFUSED_PRIVATE and caught.value.field == "webhook_url"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://example.com/",
        "http:///nohost",
        "http://example.com:99999/",
        "http://example.com:0/",
        "http://exa mple.com/",
        "http://example.com/\x1b[2J",
        "http://[::1%25eth0]/",
        "http://1.2.3.4.5/",
        "http://0x1g.0.0.1/",
        "http://256.1.1.1/",
    ],
)
def test_an_unusable_url_is_invalid(url: str) -> None:
    with pytest.raises(Invalid):
        DestinationPolicy().target(url)


def test_a_public_destination_is_kept_without_its_credentials_or_fragment() -> None:
    target = DestinationPolicy().target("https://user:pa55@Hooks.Example.com:8443/in?x=1#frag")
    assert target.url == "https://hooks.example.com:8443/in?x=1"
    assert (target.host, target.port, target.target) == ("hooks.example.com", 8443, "/in?x=1")
    assert DestinationPolicy().target("http://8.8.8.8/").address == ipaddress.ip_address("8.8.8.8")
    assert DestinationPolicy().target("http://example.com/ü?q=é").target == "/%C3%BC?q=%C3%A9"


def test_allowed_networks_admit_private_targets_on_purpose() -> None:
    policy = DestinationPolicy(parse_networks(["127.0.0.1/32", "10.0.0.0/8"]))
    assert policy.target("http://127.0.0.1:9/").host == "127.0.0.1"
    assert policy.target("http://[::ffff:127.0.0.1]/").host == "::ffff:7f00:1"
    assert policy.target("http://localhost/").host == "localhost"
    assert policy.target("http://10.1.2.3/").host == "10.1.2.3"
    with pytest.raises(RefusedDestination):
        policy.target("http://127.0.0.2/")


def test_ports_can_be_restricted() -> None:
    policy = DestinationPolicy(ports=[443])
    assert policy.target("https://example.com/").port == 443
    with pytest.raises(Invalid):
        policy.target("http://example.com:25/")


def test_settings_take_networks_as_a_comma_list_and_refuse_a_bad_one() -> None:
    settings = JobSettings(webhook_allowed_networks="127.0.0.1/32, 10.0.0.0/8")  # type: ignore[arg-type]
    assert settings.webhook_destinations().allows(ipaddress.ip_address("10.9.9.9"))
    with pytest.raises(ValueError, match="not-a-net"):
        JobSettings(webhook_allowed_networks=["not-a-net"])


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost:8000/",
        "http://169.254.169.254/",
        "http://metadata.google.internal/",
        "ftp://example.com/",
    ],
)
def test_a_job_with_a_private_webhook_is_a_422_and_nothing_is_queued(
    serve_with: Callable[..., Any], url: str
) -> None:
    with serve_with(job=JobSettings(webhook_secret=SECRET)) as (client, _):
        response = client.post("/v1/avatars/ava/animations", json={**BLINK, "webhook_url": url})
        assert_problem(response, 422, "webhook_url")
        assert client.get("/v1/jobs").json()["count"] == 0


def test_a_stored_webhook_url_has_no_credentials(serve_with: Callable[..., Any]) -> None:
    with serve_with(job=JobSettings(webhook_secret=SECRET)) as (client, _):
        url = "https://alice:hunter2@hooks.example.com/in"
        response = client.post("/v1/avatars/ava/animations", json={**BLINK, "webhook_url": url})
        assert response.status_code == 202, response.text
        job = client.get(response.json()["status_url"]).json()
        assert job["webhook_url"] == "https://hooks.example.com/in"


class _Resolver:
    """A DNS stand-in: each lookup of a name returns the next of its answers."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[Address]:
        self.lookups.append(host)
        queue = self.answers[host]
        found = queue.pop(0) if len(queue) > 1 else queue[0]
        return [ipaddress.ip_address(a) for a in found]


def _sender(resolver: _Resolver, *allowed: str) -> UrllibWebhookSender:
    return UrllibWebhookSender(policy=DestinationPolicy(parse_networks(allowed)), resolver=resolver)


def test_a_name_resolving_to_loopback_is_refused_at_delivery_without_connecting(
    receiver: tuple[int, list[Any]],
) -> None:
    port, received = receiver
    resolver = _Resolver({"hooks.example.com": [["127.0.0.1"]]})
    with pytest.raises(RefusedDestination):
        _sender(resolver).post(f"http://hooks.example.com:{port}/", b"{}", {}, timeout=2)
    assert received == []


def test_the_connection_goes_to_the_checked_address_under_the_requested_name(
    receiver: tuple[int, list[Any]],
) -> None:
    port, received = receiver
    # A rebinding name: public-looking answer not admitted is skipped, and a later lookup
    # (which would say 10.0.0.1) never happens: one lookup per delivery.
    resolver = _Resolver({"hooks.example.com": [["127.0.0.1"], ["10.0.0.1"]]})
    status = _sender(resolver, "127.0.0.1/32").post(
        f"http://hooks.example.com:{port}/in?q=1", b'{"a":1}', {"X-Test": "1"}, timeout=5
    )
    assert status == 204 and resolver.lookups == ["hooks.example.com"]
    [(headers, body)] = received
    assert headers["Host"] == f"hooks.example.com:{port}" and body == b'{"a":1}'


def test_mixed_answers_connect_only_to_an_admitted_address(
    receiver: tuple[int, list[Any]],
) -> None:
    port, received = receiver
    resolver = _Resolver({"hooks.example.com": [["10.0.0.1", "127.0.0.1"]]})
    status = _sender(resolver, "127.0.0.1/32").post(
        f"http://hooks.example.com:{port}/", b"{}", {}, timeout=5
    )
    assert status == 204 and len(received) == 1


def test_connection_errors_are_summarised_without_the_networks_reason() -> None:
    closed = socket_port_nobody_listens_on()
    resolver = _Resolver({"nowhere.example.com": [["127.0.0.1"]]})
    sender = _sender(resolver, "127.0.0.1/32")
    with pytest.raises(Unavailable) as refused:
        sender.post(f"http://127.0.0.1:{closed}/", b"{}", {}, timeout=2)
    unresolvable = UrllibWebhookSender(resolver=_failing_resolver)
    with pytest.raises(Unavailable) as unknown:
        unresolvable.post("http://nowhere.example.com/", b"{}", {}, timeout=2)
    assert refused.value.message == unknown.value.message
    assert "refused" not in refused.value.message.lower()
    assert str(closed) not in refused.value.message


def _failing_resolver(host: str, port: int) -> list[Address]:
    raise OSError("Name or service not known")


def socket_port_nobody_listens_on() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_delivery_to_a_private_address_is_recorded_as_refused_once() -> None:
    container = build_container(job=JobSettings(webhook_secret=SECRET, webhook_attempts=3))
    try:
        # The name resolves to loopback (no DNS in tests: a resolver with that answer).
        sender = _sender(_Resolver({"hooks.invalid": [["127.0.0.1"]]}))
        jobs = build_jobs(
            container.settings,
            container.adapters.store,
            EmbeddedJobQueue(),
            sender,
            container.rendering,
        )
        request = AnimationRequest(
            "ava", Animation.BLINK, duration=1.0, width=32, height=32, fps=10
        )
        job = jobs.submit(request, webhook_url="http://hooks.invalid/in")
        jobs.run(job.job_id)
        [delivery] = jobs.deliveries(job.job_id)
        assert delivery.error == REFUSED_PRIVATE and delivery.status_code is None
        assert jobs.get(job.job_id).webhook_state is WebhookState.FAILED
    finally:
        container.close()


def test_a_redirect_is_an_answer_never_followed(receiver: tuple[int, list[Any]]) -> None:
    port, received = receiver

    class _Redirect(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(307)
            self.send_header("Location", f"http://127.0.0.1:{port}/internal")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sender = _sender(_Resolver({}), "127.0.0.1/32")
        status = sender.post(f"http://127.0.0.1:{server.server_address[1]}/", b"{}", {}, 5)
    finally:
        server.shutdown()
        server.server_close()
    assert status == 307 and received == []


def test_the_environment_names_networks_ports_and_hosts_as_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AVATAR_JOB__WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32, 10.0.0.0/8")
    monkeypatch.setenv("AVATAR_JOB__WEBHOOK_ALLOWED_PORTS", "[443, 8443]")
    monkeypatch.setenv("AVATAR_HTTP__ALLOWED_HOSTS", "avatar.example,.corp.example")
    monkeypatch.setenv("AVATAR_HTTP__CORS_ORIGINS", "https://a.example,https://b.example")
    settings = Settings(_env_file=None)
    assert settings.job.webhook_allowed_networks == ["127.0.0.1/32", "10.0.0.0/8"]
    assert settings.job.webhook_allowed_ports == [443, 8443]
    assert settings.http.allowed_hosts == ["avatar.example", ".corp.example"]
    assert settings.http.cors_origins == ["https://a.example", "https://b.example"]
