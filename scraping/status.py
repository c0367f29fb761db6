"""Live crawl progress as a small JSON file, for the dashboard's Scrape page (`scraping.runner`).

The extension rewrites the file (:class:`core.jobs.StatusFile`: atomically, so a reader never sees
half a document) when pages or items change, at most every `STATUS_INTERVAL` seconds and once at the
end.
`python -m scraping crawl` writes the final state after storing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from core.jobs import StatusFile, write_json_atomic

STATUS_INTERVAL = 0.3  # seconds between rewrites; the dashboard polls about once a second

logger = logging.getLogger(__name__)


def prepare_status_file(path: Path) -> str | None:
    """Create the status file's folder (parents too) and write a first "Starting…" status.

    :returns: None when the file can be written, else one sentence saying why it cannot.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(path, {**progress_from_stats({}), "state": "running", "message": "Starting…"})
    except OSError as exc:
        return f"Cannot write the status file {path}: {exc.strerror or exc}."
    return None


def progress_from_stats(stats: dict[str, Any]) -> dict[str, Any]:
    """The progress fields of a crawl status, read from Scrapy's stats."""
    return {
        "pages": int(stats.get("crawl/pages", 0)),
        "items": int(stats.get("item_scraped_count", 0)),
        "stored": int(stats.get("store/stored", 0)),
        "duplicates": int(stats.get("store/duplicates", 0)) + int(stats.get("dedupe/dropped", 0)),
        "errors": list(stats.get("crawl/errors", [])),
        "products": list(stats.get("store/products", [])),
        "import_id": stats.get("store/import_id"),
    }


class StatusFileExtension:
    """Write the crawl's progress to the STATUS_FILE setting's path (off when empty)."""

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path
        self.file = StatusFile(path, STATUS_INTERVAL)
        self._failed = False  # reported one failed write already

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatusFileExtension:
        """Enable only when STATUS_FILE is set."""
        path = crawler.settings.get("STATUS_FILE")
        if not path:
            raise NotConfigured  # no message: Scrapy would log a warning for every plain crawl
        ext = cls(crawler, Path(path))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        for signal in (signals.response_received, signals.item_scraped, signals.item_dropped):
            crawler.signals.connect(ext.changed, signal=signal)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        """Announce the crawl as running."""
        self.write("running", "Crawling…", force=True)

    def changed(self, *args: Any, **kwargs: Any) -> None:
        """Something moved: rewrite the file unless it was rewritten a moment ago."""
        self.write("running", "Crawling…")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Last progress of the crawl itself; the CLI then writes the final state."""
        self.write(
            "running", "Storing and scoring…" if reason == "finished" else f"Stopping ({reason})…", True
        )

    def write(self, state: str, message: str, force: bool = False) -> None:
        """Write the current progress, at most every STATUS_INTERVAL seconds unless forced."""
        assert self.crawler.stats is not None
        progress = progress_from_stats(self.crawler.stats.get_stats())
        try:
            self.file.update(force, state=state, message=message, **progress)
        except OSError as exc:  # progress is a convenience: never stop a crawl over it
            if not self._failed:
                logger.error("Could not update the status file %s: %s", self.path, exc.strerror or exc)
            self._failed = True
