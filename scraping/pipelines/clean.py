"""Pipeline 1: clean every string field with `core.nlp.text.clean_text`, as uploads are cleaned."""

from __future__ import annotations

from dataclasses import fields

from scrapy import Spider
from scrapy.crawler import Crawler

from core.nlp.text import clean_text
from scraping.items import ReviewItem

# URLs are kept verbatim; everything else a user reads is cleaned.
_SKIP = frozenset({"source_url", "product_url", "syntax", "aggregate_rating", "rating_normalized"})


def clean_fields(item: ReviewItem) -> int:
    """Clean the item's string fields in place (empty after cleaning -> None); return how many changed."""
    changed = 0
    for f in fields(item):
        value = getattr(item, f.name)
        if f.name in _SKIP or not isinstance(value, str):
            continue
        cleaned = clean_text(value) or None
        if cleaned != value:
            setattr(item, f.name, cleaned)
            changed += 1
    return changed


class CleanPipeline:
    """Thin wrapper around :func:`clean_fields`; counts cleaned fields in `clean/fields_changed`."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        """Build the pipeline for `crawler`."""
        return cls(crawler)

    def process_item(self, item: ReviewItem, spider: Spider) -> ReviewItem:
        """Clean `item` (Scrapy 2.13 still passes `spider`)."""
        changed = clean_fields(item)
        if changed:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("clean/fields_changed", changed)
        return item
