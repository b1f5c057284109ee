"""The standard-library webhook sender: one POST per call, to a checked address, no redirects.

Each call parses the URL with the destination policy, resolves the host once, keeps the
addresses the policy admits (none: ``RefusedDestination``) and connects to the first of them
that answers, by address: a name cannot resolve to a checked address for the check and to
another one for the connection (DNS rebinding). HTTPS still verifies the certificate against
the host name (SNI and ``Host`` carry the name). No proxy from the environment is used (it
would connect to a destination nobody checked), and a 3xx is an answer, never followed.
A connection that fails or times out is ``Unavailable`` with a generic message; the cause is
logged at debug level only.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
from collections.abc import Callable, Mapping

from avatar_service.core.errors import Unavailable
from avatar_service.core.ports import WebhookSender
from avatar_service.core.webhook_targets import Address, DestinationPolicy, WebhookTarget

log = logging.getLogger(__name__)

Resolver = Callable[[str, int], list[Address]]
"""Host name and port -> the addresses it resolves to, in the resolver's order."""
MAX_ANSWER = 64 * 1024


def resolve(host: str, port: int) -> list[Address]:
    """The system resolver's TCP addresses of ``host`` (``OSError`` when it has none)."""
    found: list[Address] = []
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        if address not in found:
            found.append(address)
    return found


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to ``address``, whatever ``host`` (sent as ``Host``) resolves to."""

    def __init__(self, host: str, port: int, address: Address, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self._address), self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to ``address``; the certificate is verified for ``host`` (also the SNI name)."""

    def __init__(
        self, host: str, port: int, address: Address, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        raw = socket.create_connection((str(self._address), self.port), self.timeout)
        try:
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


class UrllibWebhookSender(WebhookSender):
    """``WebhookSender`` over ``http.client``, to addresses ``policy`` admits; safe to share
    between threads. ``resolver`` is the system's unless given (tests give one)."""

    PLUGIN_NAME = "urllib"

    def __init__(
        self,
        user_agent: str = "avatar-service-webhooks",
        policy: DestinationPolicy | None = None,
        resolver: Resolver = resolve,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._user_agent = user_agent
        self._policy = policy or DestinationPolicy()
        self._resolve = resolver
        self._tls = tls or ssl.create_default_context()

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        target = self._policy.target(url)
        if target.address is not None:
            addresses = [target.address]
        else:
            try:
                addresses = self._resolve(target.host, target.port)
            except (OSError, UnicodeError) as exc:
                log.debug("webhook host %s did not resolve: %s", target.host, exc)
                raise Unavailable("the webhook receiver could not be reached") from None
        admitted = self._policy.admitted(addresses)
        last: Exception | None = None
        for address in admitted:
            try:
                return self._post_to(address, target, body, headers, timeout)
            except (OSError, http.client.HTTPException) as exc:
                last = exc
        log.debug("webhook receiver %s did not answer: %s", target.host, last)
        raise Unavailable("the webhook receiver could not be reached")

    def _post_to(
        self,
        address: Address,
        target: WebhookTarget,
        body: bytes,
        headers: Mapping[str, str],
        timeout: float,
    ) -> int:
        connection: http.client.HTTPConnection
        if target.scheme == "https":
            connection = _PinnedHTTPS(target.host, target.port, address, timeout, self._tls)
        else:
            connection = _PinnedHTTP(target.host, target.port, address, timeout)
        try:
            connection.request(
                "POST",
                target.target,
                body=body,
                headers={"User-Agent": self._user_agent, "Connection": "close", **headers},
            )
            response = connection.getresponse()
            response.read(MAX_ANSWER)
            return int(response.status)
        finally:
            connection.close()

    def check(self) -> None:
        return None
