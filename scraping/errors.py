"""Readable sentences for failed requests, and the crawl's overall verdict.

Used by the spider's errback (one message per failed URL) and by the CLI's exit reason. Each
message names the URL and says what happened in words an analyst can act on.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectError, DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from scraping.middlewares import AddressRefusedError

# Error kinds, in the order the CLI reports them when a crawl fetched nothing.
KINDS = ("refused", "robots", "dns", "timeout", "connection", "http", "redirects", "other")


def describe_failure(failure: Failure, url: str) -> tuple[str, str]:
    """`(kind, sentence)` for a request that failed; `kind` is one of :data:`KINDS`."""
    exc = failure.value
    if isinstance(exc, AddressRefusedError):
        return "refused", str(exc)
    if isinstance(exc, HttpError):
        status = exc.response.status
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
    if isinstance(exc, DNSLookupError):
        return "dns", f"The host of {url} could not be found (DNS lookup failed); check the address."
    if isinstance(exc, TimeoutError | TCPTimedOutError):
        return "timeout", f"{url} did not answer in time (timeout)."
    if isinstance(exc, ConnectError | ResponseNeverReceived):
        return "connection", f"Could not connect to {url} ({type(exc).__name__}); is the site up?"
    return "other", f"{url} failed: {type(exc).__name__}: {exc}"


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
