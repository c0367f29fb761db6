"""Pipeline 2: drop reviews without text; parse the rating (0-1, raw kept) and the date (ISO)."""

from __future__ import annotations

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from core.ingestion.parsing import parse_date, parse_rating
from scraping.items import ReviewItem

MAX_TEXT_CHARS = 20_000  # longer "reviews" are page text caught by a too-wide profile selector


def _number(value: object) -> float | None:
    try:
        return float(str(value).replace(",", ".")) if value not in (None, "") else None
    except ValueError:
        return None


def validate_review(item: ReviewItem) -> list[str]:
    """Check and normalise `item` in place; raise :class:`DropItem` when it is not a review.

    Returns notes on what could not be parsed (`"rating"`, `"date"`); those fields become None
    (the raw rating is kept in `rating_raw`), the review itself is kept.
    """
    if not item.text:
        raise DropItem("no review text")
    if len(item.text) > MAX_TEXT_CHARS:
        raise DropItem(f"review text longer than {MAX_TEXT_CHARS} characters")
    notes: list[str] = []
    if item.rating not in (None, ""):
        raw = str(item.rating)
        # schema.org's defaults: bestRating 5, worstRating 1; parse_rating also reads "4/5", "80%".
        rating = parse_rating(raw, best=_number(item.best_rating), worst=_number(item.worst_rating))
        item.rating_raw = raw
        if rating is None:
            item.rating = item.best_rating = item.worst_rating = item.rating_normalized = None
            notes.append("rating")
        else:
            item.rating, item.best_rating, item.worst_rating = rating.value, rating.best, rating.worst
            item.rating_normalized = rating.normalized
    else:
        item.rating = item.best_rating = item.worst_rating = None
    if item.date:
        parsed = parse_date(item.date)
        if parsed is None:
            notes.append("date")
            item.date = None
        elif parsed.time() == parsed.min.time():
            item.date = parsed.date().isoformat()
        else:
            item.date = parsed.isoformat()
    return notes


class ValidatePipeline:
    """Thin wrapper around :func:`validate_review`, counting drops and unparsed values."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        """Build the pipeline for `crawler`."""
        return cls(crawler)

    def process_item(self, item: ReviewItem, spider: Spider) -> ReviewItem:
        """Validate `item`; DropItem carries the reason, which Scrapy logs and counts."""
        stats = self.crawler.stats
        assert stats is not None
        try:
            notes = validate_review(item)
        except DropItem as exc:
            stats.inc_value(f"validate/dropped/{exc}")
            raise
        for note in notes:
            stats.inc_value(f"validate/unparsed_{note}")
        return item
