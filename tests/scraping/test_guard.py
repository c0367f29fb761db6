"""The address policy: schemes, IP literals in every spelling, names that resolve to private addresses."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from scraping.guard import AddressRefused, check_url, parse_numeric_host


def public(_host: str) -> list[str]:
    """A resolver for names that resolve to a public address only."""
    return ["93.184.215.14"]


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),  # one decimal number
        ("0x7f000001", "127.0.0.1"),  # hex
        ("0x7F.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),  # octal
        ("127.1", "127.0.0.1"),  # short form
        ("10.1", "10.0.0.1"),
        ("[::1]", "::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("example.com", None),
        ("1.2.3.4.5", None),
        ("256.1.1.1", None),
        ("08.0.0.1", None),  # not valid octal: a name, left to DNS
    ],
)
def test_parse_numeric_host(host: str, expected: str | None) -> None:
    parsed = parse_numeric_host(host)
    assert (str(parsed) if parsed else None) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://2130706433/", "127.0.0.1 (written as 2130706433) is a loopback address"),
        ("http://0x7f000001/", "127.0.0.1 (written as 0x7f000001) is a loopback address"),
        ("http://0177.0.0.1:8080/x", "127.0.0.1 (written as 0177.0.0.1) is a loopback address"),
        ("http://127.1/", "127.0.0.1 (written as 127.1) is a loopback address"),
        ("http://10.0.0.7/", "10.0.0.7 is a private-network address"),
        ("http://172.16.5.4/", "172.16.5.4 is a private-network address"),
        ("https://192.168.1.1/admin", "192.168.1.1 is a private-network address"),
        ("http://100.64.0.1/", "100.64.0.1 is a carrier-grade NAT (100.64.0.0/10) address"),
        ("http://169.254.10.10/", "169.254.10.10 is a link-local address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is the cloud metadata endpoint"),
        ("http://0.0.0.0/", "0.0.0.0 is the unspecified address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
        ("http://192.0.2.10/", "192.0.2.10 is a private-network address"),  # documentation range
        ("http://[::1]:8000/", "::1 is a loopback address"),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254 is the cloud metadata endpoint"),
        ("http://[fc00::5]/", "fc00::5 is a private-network address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://[::]/", ":: is the unspecified address"),
        ("http://[ff02::1]/", "ff02::1 is a multicast address"),
        (
            "http://[::ffff:127.0.0.1]/",
            "(written as ::ffff:127.0.0.1) is an IPv6 address wrapping 127.0.0.1, a loopback",
        ),
        ("http://[::ffff:a9fe:a9fe]/", "wrapping 169.254.169.254, the cloud metadata endpoint"),
        ("http://[2002:c0a8:0101::1]/", "wrapping 192.168.1.1, a private-network address"),  # 6to4
        ("http://[64:ff9b::10.0.0.1]/", "wrapping 10.0.0.1, a private-network address"),  # NAT64
    ],
)
def test_refuses_non_public_addresses(url: str, reason: str) -> None:
    with pytest.raises(AddressRefused) as refused:
        check_url(url, resolver=public)
    assert reason in str(refused.value)
    assert str(refused.value).startswith(f"Refused {url!r}: ")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/file", "only http and https URLs can be crawled, not ftp:"),
        ("file:///etc/passwd", "only http and https URLs can be crawled, not file:"),
        ("javascript:alert(1)", "only http and https URLs can be crawled, not javascript:"),
        ("example.com/product", "only http and https URLs can be crawled, not no scheme"),
        ("http:///path-only", "the URL has no host name"),
        ("http://[::1/", "not a valid URL"),
    ],
)
def test_refuses_bad_urls(url: str, reason: str) -> None:
    with pytest.raises(AddressRefused, match="Refused") as refused:
        check_url(url, allow_private=True, resolver=public)
    assert reason in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/",
        "https://shop.example.com/p/1?page=2",
        "http://[2606:4700::6810:84e5]/",
        "HTTPS://A.COM",
    ],
)
def test_allows_public_addresses(url: str) -> None:
    check_url(url, resolver=public)


def test_localhost_resolves_to_loopback_and_is_refused() -> None:
    with pytest.raises(AddressRefused) as refused:
        check_url("http://localhost:8000/product.html")
    assert "host localhost resolves to" in str(refused.value)
    assert "a loopback address" in str(refused.value)


def _hosts_file_names() -> list[str]:
    """Names this machine's /etc/hosts maps to non-public addresses (not added by the tests)."""
    names: list[str] = []
    try:
        lines = Path("/etc/hosts").read_text().splitlines()
    except OSError:
        return names
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        try:
            ip = ipaddress.ip_address(fields[0])
        except ValueError:
            continue
        if not ip.is_global:
            names.extend(name for name in fields[1:] if name != "localhost" and "." not in name[-1:])
    return names[:3]


@pytest.mark.parametrize(
    "name", _hosts_file_names() or [pytest.param("none", marks=pytest.mark.skip("no names"))]
)
def test_names_from_hosts_file_resolving_privately_are_refused(name: str) -> None:
    with pytest.raises(AddressRefused, match=f"host {name} resolves to"):
        check_url(f"http://{name}/")


def test_a_name_is_refused_when_any_of_its_addresses_is_private() -> None:
    with pytest.raises(AddressRefused, match=r"resolves to 10\.0\.0\.5, a private-network address"):
        check_url("http://mixed.example/", resolver=lambda _host: ["93.184.215.14", "10.0.0.5"])


def test_unresolvable_names_are_left_to_the_download() -> None:
    # The crawl then fails with Scrapy's DNS error, reported as "could not be found".
    check_url("http://does-not-exist.invalid/", resolver=lambda _host: [])


def test_allow_private_lets_local_addresses_through_but_never_metadata() -> None:
    for url in (
        "http://127.0.0.1:8765/",
        "http://localhost/",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://2130706433/",
    ):
        check_url(url, allow_private=True)
    for url in ("http://169.254.169.254/", "http://[fd00:ec2::254]/", "http://[::ffff:169.254.169.254]/"):
        with pytest.raises(AddressRefused, match="metadata"):
            check_url(url, allow_private=True)


def test_refusal_message_says_how_to_allow_local_sites() -> None:
    with pytest.raises(AddressRefused, match="--allow-private-addresses"):
        check_url("http://192.168.0.10/")
    with pytest.raises(AddressRefused, match="Metadata endpoints are never crawled"):
        check_url("http://169.254.169.254/")
