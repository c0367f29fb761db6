"""Readable sentences for failed requests, and the crawl's overall verdict.

Used by the spider's errback (one message per failed URL) and by the CLI's exit reason. Each
message names the URL and says what happened in words an analyst can act on.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectError, DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from scraping.middlewares import AddressRefusedError

# Error kinds, in the order the CLI reports them when a crawl fetched nothing.
KINDS = ("refused", "robots", "dns", "timeout", "connection", "http", "redirects", "too_large", "other")
_SHOWN_TARGET_CHARS = 200  # a Location header is the site's text: keep the sentence one short line


def describe_failure(failure: Failure, url: str, max_size: int | None = None) -> tuple[str, str]:
    """`(kind, sentence)` for a request that failed; `kind` is one of :data:`KINDS`.

    :param max_size: the download size limit in bytes (DOWNLOAD_MAXSIZE), named when a page
        exceeds it.
    """
    exc = failure.value
    if isinstance(exc, AddressRefusedError):
        return "refused", str(exc)
    if isinstance(exc, HttpError):
        status = exc.response.status
        target = _refused_redirect_target(exc.response.headers.get("Location"))
        if 300 <= status < 400 and target is not None:
            scheme = urlsplit(target).scheme.lower()
            shown = target if len(target) <= _SHOWN_TARGET_CHARS else target[:_SHOWN_TARGET_CHARS] + "…"
            return "refused", (
                f"{url} redirects to {shown!r}, a {scheme}: URL; only http and https pages are crawled, "
                "so the redirect was refused."
            )
        hint = {404: "page not found", 410: "page removed", 403: "access denied by the site"}.get(status)
        if hint is None:
            hint = "server error, still failing after retries" if status >= 500 else "request rejected"
        return "http", f"{url} answered HTTP {status} ({hint})."
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "robots", f"{url} is disallowed by the site's robots.txt, so it was not fetched."
        if "redirect" in text.lower():
            return "redirects", f"{url} redirects too many times (a redirect loop?); gave up."
        return "other", f"{url} was skipped: {text or 'request ignored'}."
    if isinstance(exc, CancelledError):
        # Scrapy cancels a download that passes DOWNLOAD_MAXSIZE (timeouts arrive as TimeoutError).
        limit = f" ({_size(max_size)})" if max_size else ""
        return "too_large", f"{url} is larger than the download size limit{limit}; skipped."
    if isinstance(exc, DNSLookupError):
        return "dns", f"The host of {url} could not be found (DNS lookup failed); check the address."
    if isinstance(exc, TimeoutError | TCPTimedOutError):
        return "timeout", f"{url} did not answer in time (timeout)."
    if isinstance(exc, ConnectError | ResponseNeverReceived):
        return "connection", f"Could not connect to {url} ({type(exc).__name__}); is the site up?"
    return "other", f"{url} failed: {type(exc).__name__}: {exc}"


def _refused_redirect_target(location: Any) -> str | None:
    """The redirect target when it uses a scheme the crawler does not follow (file:, ftp:, ...)."""
    if not location:
        return None
    target = location.decode("latin-1") if isinstance(location, bytes) else str(location)
    try:
        scheme = urlsplit(target.strip()).scheme.lower()
    except ValueError:
        return None
    return target if scheme and scheme not in ("http", "https") else None


def _size(n_bytes: int) -> str:
    """`10 MiB`, `512 KiB` or `1,234 bytes`."""
    for unit, factor in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if n_bytes >= factor and n_bytes % factor == 0:
            return f"{n_bytes // factor:,} {unit}"
    return f"{n_bytes:,} bytes"


def limit_reached(stats: dict[str, Any], max_pages: int, max_items: int) -> str | None:
    """The sentence saying which crawl limit stopped the crawl early, or None if none did."""
    reason = stats.get("finish_reason")
    if reason == "closespider_itemcount":
        return (
            f"Stopped at the review limit of {max_items:,} reviews (SENTIMENT_SCRAPE_MAX_ITEMS); "
            "the site may have more."
        )
    if reason == "closespider_pagecount":
        return "Stopped at the request limit (pages, retries and redirects); the site may have more."
    if reason == "closespider_timeout":
        return "Stopped at the crawl's time limit; the site may have more."
    if stats.get("crawl/page_limit_reached"):
        return f"Stopped at the page limit of {max_pages:,} pages; more review pages were not fetched."
    return None


def nothing_fetched_reason(errors: list[str]) -> str:
    """The CLI's exit message when no page could be fetched."""
    if not errors:
        return "Nothing could be fetched (no page answered)."
    shown = "; ".join(errors[:3]) + (f" (and {len(errors) - 3} more)" if len(errors) > 3 else "")
    return f"Nothing could be fetched: {shown}"


NO_REVIEWS_HINT = (
    "No reviews found on the fetched page(s). The site may not publish schema.org review markup; "
    "write a site profile (see scraping/profiles/) and pass it with --profile."
)
