"""Downloader middleware enforcing the address policy (:mod:`scraping.guard`) on every request.

It sits before the robots.txt middleware, so start URLs, next pages, robots.txt fetches and every
redirect hop (Scrapy re-schedules a redirect as a new request, which passes here again) are
checked before anything is sent. After a download it also checks the address actually connected
to, which catches a host whose DNS answer changed between the check and the connection.
"""

from __future__ import annotations

import ipaddress

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from scraping.guard import AddressRefused, address_problem, check_url


class AddressRefusedError(IgnoreRequest):
    """A request dropped by the address policy; the message is the user-facing reason."""


class AddressGuardMiddleware:
    """Refuse non-http(s) URLs and non-public hosts unless ADDRESS_GUARD_ALLOW_PRIVATE is set."""

    def __init__(self, crawler: Crawler, allow_private: bool) -> None:
        self.crawler = crawler
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        """Read the policy from the crawler's settings."""
        return cls(crawler, crawler.settings.getbool("ADDRESS_GUARD_ALLOW_PRIVATE"))

    def process_request(self, request: Request, spider: Spider) -> None:
        """Raise :class:`AddressRefusedError` for a URL the policy refuses.

        The host is resolved on every request on purpose (crawls are a few dozen pages): a cached
        verdict would let a host whose DNS changed mid-crawl through.
        """
        try:
            check_url(request.url, allow_private=self.allow_private)
        except AddressRefused as exc:
            self._refuse(str(exc))

    def process_response(self, request: Request, response: Response, spider: Spider) -> Response:
        """Drop a response that came from an address the policy refuses."""
        if response.ip_address is not None:
            ip = ipaddress.ip_address(str(response.ip_address))
            problem = address_problem(ip, allow_private=self.allow_private)
            if problem:
                self._refuse(f"Refused {request.url!r}: the server answered from {ip}, {problem}.")
        return response

    def _refuse(self, message: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("guard/refused")
        raise AddressRefusedError(message)
