"""Pipeline 3: drop a review already seen in this crawl (same product and content)."""

from __future__ import annotations

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from core.storage.schema import content_hash, product_key
from scraping.items import ReviewItem


def review_key(item: ReviewItem) -> tuple[str, str]:
    """The identity of a review: its product (case-folded) and the store's content hash.

    The store's own key, so a review the page publishes twice (JSON-LD and microdata, say) is
    dropped here exactly when the store would have merged it.
    """
    product = product_key(item.product or "")
    return product, content_hash(item.text or "", item.title, item.author, item.date)


class DedupePipeline:
    """Drop items whose :func:`review_key` was seen earlier in the crawl."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        """Build the pipeline for `crawler`."""
        return cls(crawler)

    def process_item(self, item: ReviewItem, spider: Spider) -> ReviewItem:
        """Pass `item` on the first time its key is seen; drop it after that."""
        key = review_key(item)
        if key in self.seen:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("dedupe/dropped")
            raise DropItem("duplicate review in this crawl")
        self.seen.add(key)
        return item
