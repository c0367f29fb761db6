"""Pipeline 4: store the crawl's reviews and score them, as one import of kind "scrape", and each
product page's own average rating (`core.storage.site_ratings`) next to them.

The run is opened in `open_spider` (so a crawl that finds nothing is still recorded, with its
errors) and the rows are written when the spider closes, in one `core.storage.importer.import_rows`
transaction scored by the core predictor. Storing happens on the `spider_closed` signal rather
than in `close_spider` because only the signal carries the close reason: a crawl cancelled from
the dashboard (SIGTERM -> reason "shutdown") is recorded as cancelled and stores nothing.
"""

from __future__ import annotations

from datetime import datetime

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from core.ingestion.rows import RejectedRow, ReviewRow
from core.logs import log_event
from core.storage.engine import get_engine
from core.storage.importer import finish_run, import_rows, start_run
from core.storage.site_ratings import SiteRatingValue, parse_site_rating, record_site_ratings
from scraping.items import ReviewItem


def to_review_row(item: ReviewItem, row_number: int | None = None) -> ReviewRow:
    """The store's row for a cleaned, validated item."""
    return ReviewRow(
        text=item.text or "",
        product=item.product or "Unassigned",
        review_date=datetime.fromisoformat(item.date) if item.date else None,
        rating=item.rating_normalized,
        rating_raw=item.rating_raw,
        author=item.author,
        title=item.title,
        source_url=item.source_url,
        row_number=row_number,
    )


class StorePipeline:
    """Collect :class:`~core.ingestion.rows.ReviewRow` objects; import and score them when the crawl ends."""

    def __init__(self, crawler: Crawler, source_name: str, max_items: int) -> None:
        self.crawler = crawler
        self.source_name = source_name
        self.max_items = max_items
        self.rows: list[ReviewRow] = []
        self.rejected: list[RejectedRow] = []
        self.run_id: int | None = None
        # each product's own average rating, as its page shows it (the last page seen wins)
        self.site_ratings: dict[str, tuple[str, SiteRatingValue]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        """Read the run's name and item limit; listen for drops (recorded) and the close reason."""
        pipeline = cls(
            crawler,
            source_name=crawler.settings.get("REVIEW_SOURCE_NAME") or "scrape",
            max_items=crawler.settings.getint("CLOSESPIDER_ITEMCOUNT") or 0,
        )
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider: Spider) -> None:
        """Open the database and record the scrape run as started."""
        self.engine = get_engine()
        self.run_id = start_run(self.engine, "scrape", self.source_name)
        self._stats().set_value("store/import_id", self.run_id)

    def process_item(self, item: ReviewItem, spider: Spider) -> ReviewItem:
        """Keep the row for the import at the end (the item limit is enforced here exactly)."""
        if self.max_items and len(self.rows) >= self.max_items:
            raise DropItem(f"item limit of {self.max_items} reached")
        row = to_review_row(item, row_number=len(self.rows) + 1)
        self.rows.append(row)
        if (rating := parse_site_rating(item.aggregate_rating)) is not None:
            self.site_ratings[row.product] = (item.source_url, rating)
        return item

    def item_dropped(self, item: ReviewItem, response: object, exception: Exception, spider: Spider) -> None:
        """Remember why a review was not kept, for the run's reject counts (duplicates excluded)."""
        reason = str(exception)
        if "duplicate" not in reason:
            values: dict[str, object] = {"text": (item.text or "")[:200], "source_url": item.source_url}
            self.rejected.append(RejectedRow(row_number=0, reason=reason, values=values))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Import the rows in one transaction (or record the run as cancelled / failed)."""
        if self.run_id is None:
            return
        stats = self._stats()
        pages = int(stats.get_value("crawl/pages", 0))
        errors = list(stats.get_value("crawl/errors", []))
        if reason == "shutdown":
            finish_run(self.engine, self.run_id, status="cancelled", pages=pages, errors=errors)
            stats.set_value("store/status", "cancelled")
            return
        if not self.rows:
            finish_run(self.engine, self.run_id, status="failed", pages=pages, errors=errors)
            stats.set_value("store/status", "failed")
            return
        try:
            # Imported here so a missing or broken model fails this step with its own message.
            from core.inference.predictor import get_predictor

            summary = import_rows(
                self.engine,
                self.rows,
                source="scrape",
                source_name=self.source_name,
                predictor=get_predictor(),
                rejected=self.rejected,
                rows_read=len(self.rows) + len(self.rejected),
                import_id=self.run_id,
            )
        except Exception as exc:  # recorded on the run and shown to the user, never swallowed silently
            message = f"Storing the reviews failed: {exc}"
            finish_run(self.engine, self.run_id, status="failed", pages=pages, errors=[*errors, message])
            stats.set_value("store/status", "failed")
            stats.set_value("store/error", message)
            spider.logger.error(message)
            return
        try:  # the shop's own stars are extra context: failing to store them does not fail the crawl
            site = [(product, url, rating) for product, (url, rating) in self.site_ratings.items()]
            stats.set_value("store/site_ratings", record_site_ratings(self.engine, site, self.run_id))
        except Exception as exc:
            errors = [*errors, f"Storing the pages' own ratings failed: {exc}"]
        finish_run(self.engine, self.run_id, status="succeeded", pages=pages, errors=errors)
        stats.set_value("store/status", "succeeded")
        stats.set_value("store/stored", summary.stored)
        stats.set_value("store/duplicates", summary.duplicates)
        stats.set_value("store/products", list(summary.products))
        stats.set_value("store/model_version", summary.model_version)
        log_event(
            "scrape",
            import_id=self.run_id,
            pages=pages,
            stored=summary.stored,
            duplicates=summary.duplicates,
            seconds=summary.seconds,
        )

    def _stats(self):
        assert self.crawler.stats is not None
        return self.crawler.stats
