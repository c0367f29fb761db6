"""Address policy for crawls: which URLs the scraper may fetch.

The app may run on a server, so a URL typed into the dashboard must not become a way to reach
the server's own network (SSRF): loopback, private ranges, link-local, the cloud metadata
endpoint and every other non-public address are refused unless private addresses are explicitly
allowed (a setting or the `--allow-private-addresses` flag; the tests and the demo shop use it).
Even then the cloud metadata endpoints stay refused.

Everything here is pure apart from the DNS lookup, which is injectable (`resolver=`).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from w3lib.url import safe_url_string

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Iterable[str]]

ALLOWED_SCHEMES = ("http", "https")
# Cloud instance metadata (AWS, GCP, Azure, OpenStack; AWS's IPv6 endpoint): never fetched.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
CGNAT = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: shared, not public
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # IPv6 prefix embedding an IPv4 address


class AddressRefused(ValueError):
    """A URL the crawler will not fetch; the message says why in one sentence."""


def resolve_host(host: str) -> list[str]:
    """Every address `host` resolves to (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []  # the download itself reports the DNS failure with Scrapy's own message
    return sorted({str(info[4][0]) for info in infos})


def parse_numeric_host(host: str) -> IPAddress | None:
    """The IP address `host` spells, including the forms browsers and `inet_aton` accept.

    Handles dotted quads, IPv6 (with or without a zone), and the legacy IPv4 spellings used to
    sneak past naive filters: one decimal number (`2130706433`), hex (`0x7f000001`,
    `0x7f.0.0.1`), octal (`0177.0.0.1`) and short forms (`127.1`). Returns None for names.
    """
    host = host.strip().strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        text = part.lower()
        try:
            if text.startswith("0x"):
                numbers.append(int(text[2:] or "0", 16))
            elif len(text) > 1 and text.startswith("0"):
                numbers.append(int(text[1:], 8))
            else:
                numbers.append(int(text, 10))
        except ValueError:
            return None
    # inet_aton: every part but the last is one byte; the last fills the remaining bytes.
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (4 - len(head)) + last
    return ipaddress.IPv4Address(value)


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried inside an IPv6 one (mapped, 6to4 or NAT64), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_problem(ip: IPAddress, *, allow_private: bool = False) -> str | None:
    """Why `ip` may not be fetched (e.g. "a loopback address"), or None when it may."""
    if ip in METADATA_ADDRESSES:
        return "the cloud metadata endpoint"
    inner = _embedded_ipv4(ip)
    if inner is not None:
        problem = address_problem(inner, allow_private=allow_private)
        return f"an IPv6 address wrapping {inner}, {problem}" if problem else None
    if allow_private:
        return None
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (
            isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT,
            "a carrier-grade NAT (100.64.0.0/10) address",
        ),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private-network address"),
        (not ip.is_global, "not a public internet address"),
    )
    for failed, reason in checks:
        if failed:
            return reason
    return None


def check_url(url: str, *, allow_private: bool = False, resolver: Resolver = resolve_host) -> None:
    """Raise :class:`AddressRefused` unless `url` is an http(s) URL of a public host.

    :param url: the absolute URL about to be fetched (start URL, next page or redirect target).
    :param allow_private: let private, loopback and link-local addresses through (not metadata).
    :param resolver: host name -> addresses; a name is refused when ANY of its addresses is.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        _ = parts.port  # raises on a port that is not a number in 0-65535
        safe_url_string(url)  # Scrapy parses request URLs with this; it is stricter than urlsplit
    except ValueError as exc:
        raise AddressRefused(f"Refused {url!r}: it is not a valid URL ({exc}).") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        shown = f"{parts.scheme}:" if parts.scheme else "no scheme"
        raise AddressRefused(f"Refused {url!r}: only http and https URLs can be crawled, not {shown}.")
    if not host:
        raise AddressRefused(f"Refused {url!r}: the URL has no host name.")
    ip = parse_numeric_host(host)
    if ip is not None:
        problem = address_problem(ip, allow_private=allow_private)
        if problem:
            spelled = "" if str(ip) == host.strip("[]") else f" (written as {host})"
            raise AddressRefused(f"Refused {url!r}: {ip}{spelled} is {problem}.{_hint(problem)}")
        return
    for address in resolver(host):
        resolved = parse_numeric_host(address)
        problem = address_problem(resolved, allow_private=allow_private) if resolved else None
        if problem:
            raise AddressRefused(
                f"Refused {url!r}: host {host} resolves to {address}, {problem}.{_hint(problem)}"
            )


def _hint(problem: str) -> str:
    if "metadata" in problem:
        return " Metadata endpoints are never crawled."
    return (
        " Pass --allow-private-addresses (or set SENTIMENT_SCRAPE_ALLOW_PRIVATE) only for a site you trust."
    )
