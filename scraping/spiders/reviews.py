"""The `reviews` spider: fetch product pages, yield their reviews, follow review pagination.

It only finds and yields: extraction lives in :mod:`scraping.extract`, cleaning / validation /
storage in the pipelines, the address policy in a downloader middleware.

Arguments (`scrapy crawl reviews -a urls=URL1,URL2 -a product=NAME -a profile=FILE`, or keyword
arguments from `python -m scraping crawl`): `urls`, `product` (overrides the product name found
on the page), `profile` (a site profile file; otherwise a shipped profile matching the URL is
used for pages without schema.org reviews), `max_pages` (default: SCRAPE_MAX_PAGES).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.statscollectors import StatsCollector
from twisted.python.failure import Failure

from scraping.errors import describe_failure
from scraping.extract import extract_page, load_profile, match_profile, shipped_profiles
from scraping.items import ReviewItem


class ReviewsSpider(scrapy.Spider):
    """Reviews from schema.org markup (JSON-LD, microdata, RDFa) or a site profile."""

    name = "reviews"

    def __init__(
        self,
        urls: str | list[str] = "",
        product: str | None = None,
        profile: str | Path | None = None,
        max_pages: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.start_urls = urls.replace(",", " ").split() if isinstance(urls, str) else list(urls)
        self.product = product or None
        self.profile = load_profile(Path(profile)) if profile else None
        self.max_pages = int(max_pages) if max_pages else None
        self.pages_requested = 0
        self.shipped = shipped_profiles()

    async def start(self) -> AsyncIterator[Any]:
        """One request per start URL (they count towards the page limit too)."""
        if self.max_pages is None:
            self.max_pages = self.settings.getint("SCRAPE_MAX_PAGES", 20)
        for url in self.start_urls:
            try:
                # dont_filter: a redirect loop back to a start URL then ends in "max redirections
                # reached" (a clear error) instead of being dropped silently as a duplicate request.
                request = scrapy.Request(
                    url, callback=self.parse, errback=self.failed, cb_kwargs={"context": {}}, dont_filter=True
                )
            except ValueError as exc:  # one malformed URL must not stop the others
                self._record_error("refused", f"Refused {url!r}: it is not a valid URL ({exc}).")
                continue
            self.pages_requested += 1
            yield request

    @property
    def crawl_stats(self) -> StatsCollector:
        """The crawl's stats collector (a crawler running this spider always has one)."""
        if self.crawler.stats is None:
            raise RuntimeError("the crawler has no stats collector")
        return self.crawler.stats

    def parse(self, response: Response, context: dict[str, str | None]) -> Iterator[Any]:
        """Yield the page's reviews, then a request for the next review page (within the limit)."""
        if not isinstance(response, TextResponse):
            self._record_error("other", f"{response.url} is not an HTML page; skipped.")
            return
        self.crawl_stats.inc_value("crawl/pages")
        profile = self.profile or match_profile(response.url, self.shipped)
        page = extract_page(response.text, response.url, profile)
        for problem in page.problems:
            self.logger.warning("%s: %s", response.url, problem)
            self.crawl_stats.inc_value("crawl/markup_problems")
        # Later review pages often omit the product; carry it (and the first page's URL) over.
        named = next((r for r in page.reviews if r.product), None)
        context = {
            "product": (named.product if named else None) or context.get("product") or page.page_title,
            "page_url": context.get("page_url") or response.url,
        }
        for review in page.reviews:
            self.crawl_stats.inc_value(f"crawl/reviews/{review.syntax}")
            yield ReviewItem(
                text=review.text,
                source_url=response.url,
                product=self.product or review.product or context["product"],
                product_url=review.product_url or context["page_url"],
                title=review.title,
                rating=review.rating,
                best_rating=review.best_rating,
                worst_rating=review.worst_rating,
                date=review.date,
                author=review.author,
                sku=review.sku,
                gtin=review.gtin,
                aggregate_rating=review.aggregate_rating,
                syntax=review.syntax,
            )
        if page.next_url and urlsplit(page.next_url).hostname != urlsplit(response.url).hostname:
            # Review pagination stays on the site; a "next" link elsewhere is an ad or a trap.
            self.logger.info("not following next page on another site: %s", page.next_url)
        elif page.next_url and self.max_pages is not None and self.pages_requested < self.max_pages:
            self.pages_requested += 1
            yield response.follow(
                page.next_url, self.parse, errback=self.failed, cb_kwargs={"context": context}
            )
        elif page.next_url:
            self.crawl_stats.set_value("crawl/page_limit_reached", True)

    def failed(self, failure: Failure) -> None:
        """Record a failed request as one readable sentence (see :mod:`scraping.errors`)."""
        request = getattr(failure, "request", None)
        # Name the URL the user asked for, not the last hop of a redirect chain.
        url = (request.meta.get("redirect_urls") or [request.url])[0] if request is not None else "?"
        max_size = self.settings.getint("DOWNLOAD_MAXSIZE")
        if request is not None:
            max_size = request.meta.get("download_maxsize", max_size)
        kind, message = describe_failure(failure, url, max_size)
        self._record_error(kind, message)

    def _record_error(self, kind: str, message: str) -> None:
        self.logger.warning(message)
        stats = self.crawl_stats
        stats.inc_value(f"crawl/errors/{kind}")
        stats.set_value("crawl/errors", [*stats.get_value("crawl/errors", []), message])
