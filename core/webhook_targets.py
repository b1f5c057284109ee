"""Where a webhook may be sent: an http(s) URL whose host is a public unicast address.

A webhook URL comes from a client, so it is hostile: without this rule the service would POST
to its own loopback services, the cloud metadata endpoint or the private network, and report
back what answered. ``DestinationPolicy.target`` parses a URL, strips its credentials and
refuses what can be refused without DNS: another scheme, a bad port, an IP literal in any
spelling (``2130706433``, ``0177.0.0.1``, ``0x7f.1``, ``127.1``, ``[::1]``,
``[::ffff:127.0.0.1]``) and the names that always mean this machine or the metadata service.
The sender resolves every other name at delivery time, keeps only the addresses
``DestinationPolicy.allows`` and connects to one of those (never resolving again).

An address is allowed when it is global unicast (not loopback, unspecified, link-local,
private, shared/CGNAT ``100.64.0.0/10``, multicast, reserved or documentation; IPv4 embedded
in IPv6 is judged as IPv4), or when it lies in one of the operator's ``allowed`` networks.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from avatar_service.core.errors import Invalid

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_URL_CHARS = 2048
REFUSED_PRIVATE = "refused: private address"
SCHEMES = {"http": 80, "https": 443}

_LOOPBACK = (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))
_METADATA = (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-._")
_URL_SAFE = "/%:@!$&'()*+,;=-._~"
"""Characters kept as they are in a path or query; others (non-ASCII) are percent-encoded."""


class RefusedDestination(Invalid):
    """The webhook's destination is not a public address (and no allowed network admits it)."""


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """A parsed webhook URL: ``url`` without credentials or fragment, the canonical ``host``
    (an IP literal in its standard spelling, or a lowercase name), ``port`` and ``target`` (the
    path and query of the request line); ``address`` is set when the host is an IP literal."""

    url: str
    scheme: str
    host: str
    port: int
    target: str
    address: Address | None


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """CIDRs (``10.0.0.0/8``, ``127.0.0.1/32``, ``fd00::/8``; a bare address is a /32 or /128)
    as networks; a malformed one raises ``ValueError`` naming it."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not a network (CIDR such as 10.0.0.0/8)") from None
    return tuple(networks)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    """Global unicast: reachable on the internet, and not this machine or a private network."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_private
    )


def parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """``host`` as an IPv4 address the way URL parsers and ``inet_aton`` read it (one to four
    dot-separated parts, each decimal, ``0x`` hex or ``0`` octal; the last fills the remaining
    bytes), ``None`` when it is a name. A number-like host that is no address is ``Invalid``."""
    parts = host.removesuffix(".").split(".")
    if not parts[-1] or not _numeric(parts[-1]):
        return None
    try:
        numbers = [_number(part) for part in parts]
    except ValueError:
        raise Invalid(f"{host!r} is not a valid IPv4 address", field="webhook_url") from None
    if len(numbers) > 4 or any(n > 255 for n in numbers[:-1]):
        raise Invalid(f"{host!r} is not a valid IPv4 address", field="webhook_url")
    last_bits = 8 * (5 - len(numbers))
    if numbers[-1] >= 1 << last_bits:
        raise Invalid(f"{host!r} is not a valid IPv4 address", field="webhook_url")
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value |= number << (24 - 8 * index)
    return ipaddress.IPv4Address(value)


def _numeric(part: str) -> bool:
    if part[:2].lower() == "0x":
        return all(c in "0123456789abcdefABCDEF" for c in part[2:])
    return part.isdigit()


def _number(part: str) -> int:
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part[1:], 8)
    return int(part, 10)


class DestinationPolicy:
    """The destination rule above, with the operator's ``allowed`` networks (admitted on
    purpose, e.g. ``127.0.0.1/32`` for a receiver on this machine) and ``ports`` (empty: any)."""

    def __init__(self, allowed: Sequence[Network] = (), ports: Iterable[int] = ()) -> None:
        self.allowed = tuple(allowed)
        self.ports = frozenset(ports)

    def allows(self, address: Address) -> bool:
        """Whether a webhook may connect to ``address``."""
        candidates: list[Address] = [address]
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            candidates.append(address.ipv4_mapped)
        for candidate in candidates:
            if any(candidate.version == n.version and candidate in n for n in self.allowed):
                return True
        return is_public(address)

    def admitted(self, addresses: Iterable[Address]) -> list[Address]:
        """The addresses a webhook may connect to, in the given order; none raises
        ``RefusedDestination``."""
        allowed = [address for address in addresses if self.allows(address)]
        if not allowed:
            raise RefusedDestination(REFUSED_PRIVATE, field="webhook_url")
        return allowed

    def target(self, url: str) -> WebhookTarget:
        """Parse ``url`` and refuse what can be refused before resolving its name: another
        scheme than http(s), a bad or disallowed port, a private IP literal, a name that always
        means this machine or a metadata service (``RefusedDestination``, else ``Invalid``)."""
        if len(url) > MAX_URL_CHARS or any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
            raise Invalid(
                f"webhook_url must be an http(s) URL of at most {MAX_URL_CHARS} characters, "
                "without spaces or control characters",
                field="webhook_url",
            )
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES or not parts.hostname:
            raise Invalid(
                "webhook_url must be an http or https URL with a host", field="webhook_url"
            )
        try:
            port = SCHEMES[scheme] if parts.port is None else parts.port
        except ValueError:
            port = 0
        if not 1 <= port <= 65535:
            raise Invalid("webhook_url has a bad port", field="webhook_url")
        if self.ports and port not in self.ports:
            allowed = ", ".join(str(p) for p in sorted(self.ports))
            raise Invalid(f"webhook_url may only use the ports {allowed}", field="webhook_url")
        host, address = self._host(parts.hostname)
        if address is not None:
            self.admitted([address])
        elif host in _LOOPBACK_NAMES or host.endswith(".localhost"):
            self.admitted(_LOOPBACK)
        elif host in _METADATA_NAMES:
            self.admitted(_METADATA)
        netloc_host = f"[{host}]" if ":" in host else host
        netloc = netloc_host if parts.port is None else f"{netloc_host}:{port}"
        path = quote(parts.path or "/", safe=_URL_SAFE)
        query = quote(parts.query, safe=_URL_SAFE + "?")
        clean = urlunsplit((scheme, netloc, path, query, ""))
        target = path + (f"?{query}" if query else "")
        return WebhookTarget(clean, scheme, host, port, target, address)

    @staticmethod
    def _host(raw: str) -> tuple[str, Address | None]:
        """The canonical host and, for an IP literal, its address."""
        if ":" in raw:  # urlsplit took it from brackets: IPv6
            if "%" in raw:
                raise Invalid("webhook_url may not carry an IPv6 zone", field="webhook_url")
            try:
                v6 = ipaddress.IPv6Address(raw)
            except ValueError:
                raise Invalid(
                    "webhook_url has a malformed IPv6 address", field="webhook_url"
                ) from None
            return v6.compressed, v6
        try:
            name = raw.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise Invalid("webhook_url has a malformed host name", field="webhook_url") from None
        v4 = parse_ipv4(name)
        if v4 is not None:
            return str(v4), v4
        name = name.removesuffix(".")
        if not name or not set(name) <= _HOST_CHARS or ".." in name:
            raise Invalid("webhook_url has a malformed host name", field="webhook_url")
        return name, None
