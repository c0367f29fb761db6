"""`python -m scraping crawl URL [URL ...]`: crawl product pages for reviews, store and score them.

Exit codes: 0 reviews found (and stored unless --no-store); 1 pages fetched but no reviews found;
2 bad arguments (unusable profile, too many URLs for the page limit, a status file that cannot be
written); 3 nothing could be fetched (refused or malformed URL, robots.txt, DNS, timeout, HTTP
errors); 4 storing failed; 130 cancelled.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_NO_REVIEWS = 1  # pages fetched, no review on them
EXIT_USAGE = 2  # argparse's own code for bad arguments
EXIT_NOTHING_FETCHED = 3
EXIT_STORE_FAILED = 4
EXIT_CANCELLED = 130  # the shell's code for a process stopped by a signal (128 + SIGINT)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="python -m scraping", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    crawl = commands.add_parser("crawl", help="crawl product pages for reviews")
    crawl.add_argument("urls", nargs="+", metavar="URL", help="product page(s) to start from")
    crawl.add_argument("--product", metavar="NAME", help="store every review under this product name")
    crawl.add_argument(
        "--max-pages", type=int, metavar="N", help="pages to fetch at most, start URLs included"
    )
    crawl.add_argument("--out", type=Path, metavar="FILE.jsonl", help="also write one JSON object per review")
    crawl.add_argument(
        "--allow-private-addresses",
        action="store_true",
        default=None,
        help="allow loopback / private-network hosts (a local demo shop, tests); never metadata endpoints",
    )
    crawl.add_argument(
        "--profile", type=Path, metavar="FILE", help="site profile (YAML/TOML) for unmarked pages"
    )
    crawl.add_argument("--no-store", action="store_true", help="extract only; do not store or score")
    crawl.add_argument(
        "--status-file", type=Path, metavar="FILE", help="keep a JSON progress file up to date"
    )
    crawl.add_argument("--verbose", action="store_true", help="show Scrapy's own log")
    return parser


def crawl_settings(args: argparse.Namespace, source_name: str) -> Any:
    """Scrapy settings for this run: the project module plus the command line's overrides."""
    from scrapy.settings import Settings

    from scraping.items import EXPORT_FIELDS

    settings = Settings()
    settings.setmodule("scraping.settings", priority="project")
    overrides: dict[str, Any] = {
        "REVIEW_SOURCE_NAME": source_name,
        "LOG_LEVEL": "INFO" if args.verbose else "ERROR",
    }
    if args.max_pages is not None:
        overrides["SCRAPE_MAX_PAGES"] = args.max_pages
        overrides["CLOSESPIDER_PAGECOUNT"] = args.max_pages * 3 + 5  # backstop, see settings.py
    if args.allow_private_addresses:
        overrides["ADDRESS_GUARD_ALLOW_PRIVATE"] = True
    if args.no_store:
        pipelines = dict(settings.getdict("ITEM_PIPELINES"))
        pipelines["scraping.pipelines.store.StorePipeline"] = None
        overrides["ITEM_PIPELINES"] = pipelines
    if args.out:
        feed = {"format": "jsonlines", "fields": list(EXPORT_FIELDS), "overwrite": True, "encoding": "utf8"}
        overrides["FEEDS"] = {str(args.out.resolve()): feed}
    if args.status_file:
        overrides["STATUS_FILE"] = str(args.status_file)
    settings.setdict(overrides, priority="cmdline")
    return settings


def summary_line(stats: dict[str, Any], args: argparse.Namespace) -> str:
    """One line: pages, reviews, drops, what was stored, where the output went."""
    pages = int(stats.get("crawl/pages", 0))
    items = int(stats.get("item_scraped_count", 0))
    duplicates = int(stats.get("dedupe/dropped", 0))
    invalid = sum(v for k, v in stats.items() if k.startswith("validate/dropped/"))
    parts = [f"Crawled {pages} page{'s' * (pages != 1)}: {items} review{'s' * (items != 1)}"]
    if duplicates or invalid:
        parts.append(f"({duplicates} duplicate(s) and {invalid} invalid dropped)")
    if stats.get("store/status") == "succeeded":
        stored, already = stats.get("store/stored", 0), stats.get("store/duplicates", 0)
        products = ", ".join(stats.get("store/products", []))
        parts.append(f"; stored {stored} new, {already} already stored; product(s): {products}")
        parts.append(f"; import #{stats.get('store/import_id')}")
    elif args.no_store:
        parts.append("; not stored (--no-store)")
    elif stats.get("store/status") == "failed" and stats.get("item_scraped_count"):
        parts.append("; NOT stored (see the error below)")
    if args.out:
        parts.append(f"; wrote {args.out}")
    errors = len(stats.get("crawl/errors", []))
    if errors:
        parts.append(f"; {errors} error(s)")
    return " ".join(parts).replace(" ;", ";") + "."


def outcome(stats: dict[str, Any], limit_note: str | None = None) -> tuple[int, str, str]:
    """`(exit code, final state, message)` of a finished crawl; `limit_note` says which crawl limit
    stopped it early, if one did.
    """
    from scraping.errors import NO_REVIEWS_HINT, nothing_fetched_reason

    errors = list(stats.get("crawl/errors", []))
    if stats.get("finish_reason") == "shutdown":
        return EXIT_CANCELLED, "cancelled", "Crawl cancelled; nothing was stored."
    if not stats.get("crawl/pages"):
        return EXIT_NOTHING_FETCHED, "failed", nothing_fetched_reason(errors)
    if not stats.get("item_scraped_count"):
        return EXIT_NO_REVIEWS, "failed", NO_REVIEWS_HINT
    if stats.get("store/error"):
        return EXIT_STORE_FAILED, "failed", str(stats["store/error"])
    return EXIT_OK, "finished", f"Done. {limit_note}" if limit_note else "Done."


def run_crawl(args: argparse.Namespace) -> int:
    """Check the arguments, run the crawl in this process, report, and return the exit code."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from core.jobs import write_json_atomic
    from core.settings import get_settings
    from scraping.errors import limit_reached
    from scraping.extract import ProfileError, load_profile
    from scraping.guard import AddressRefused, check_url
    from scraping.spiders.reviews import ReviewsSpider
    from scraping.status import prepare_status_file, progress_from_stats

    def final_status(status: dict[str, Any]) -> None:
        if not args.status_file:
            return
        try:
            write_json_atomic(args.status_file, status)
        except OSError as exc:  # the crawl's outcome stands; only the progress file is missing
            print(
                f"Could not write the status file {args.status_file}: {exc.strerror or exc}.", file=sys.stderr
            )

    def fail(code: int, message: str, errors: list[str] | None = None) -> int:
        print(message, file=sys.stderr)
        final_status(
            {**progress_from_stats({}), "state": "failed", "message": message, "errors": errors or []}
        )
        return code

    if args.status_file:
        # Checked first: every later refusal is reported through it.
        problem = prepare_status_file(args.status_file)
        if problem:
            print(problem, file=sys.stderr)
            return EXIT_USAGE
    if args.profile is not None:
        try:
            load_profile(args.profile)
        except ProfileError as exc:
            return fail(EXIT_USAGE, str(exc))
    max_pages = args.max_pages if args.max_pages is not None else get_settings().scrape_max_pages
    if max_pages < 1 or len(args.urls) > max_pages:
        return fail(
            EXIT_USAGE, f"{len(args.urls)} start URL(s) but a page limit of {max_pages}; raise --max-pages."
        )
    # Every start URL is checked up front (malformed, not http(s), refused address): the bad ones
    # are named, one line each, and left out; the rest are crawled. Next pages and redirects are
    # checked by the guard middleware during the crawl.
    allow_private = bool(args.allow_private_addresses) or get_settings().scrape_allow_private
    urls: list[str] = []
    refused: list[str] = []
    for url in dict.fromkeys(args.urls):  # each start URL once, in the order given
        try:
            check_url(url, allow_private=allow_private)
            urls.append(url)
        except AddressRefused as exc:
            refused.append(str(exc))
    if not urls:
        return fail(EXIT_NOTHING_FETCHED, "Nothing could be fetched: " + " ".join(refused), refused)
    for message in refused:
        print(message, file=sys.stderr, flush=True)

    source_name = args.product or urls[0]
    settings = crawl_settings(args, source_name)
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(ReviewsSpider)

    def on_opened(spider: Any) -> None:
        # the refused start URLs count as the crawl's errors (summary, status file, dashboard)
        if refused and crawler.stats:
            crawler.stats.set_value("crawl/errors", [*refused, *crawler.stats.get_value("crawl/errors", [])])
            crawler.stats.inc_value("crawl/errors/refused", len(refused))

    def on_response(response: Any, request: Any, spider: Any) -> None:
        if not response.url.endswith("/robots.txt"):
            print(f"fetched {response.status} {response.url}", file=sys.stderr, flush=True)

    def on_item(item: Any, response: Any, spider: Any) -> None:
        count = crawler.stats.get_value("item_scraped_count", 0) if crawler.stats else 0
        if count and count % 10 == 0:
            print(f"… {count} reviews so far", file=sys.stderr, flush=True)

    crawler.signals.connect(on_opened, signal=signals.spider_opened)
    crawler.signals.connect(on_response, signal=signals.response_received)
    crawler.signals.connect(on_item, signal=signals.item_scraped)
    process.crawl(crawler, urls=urls, product=args.product, profile=args.profile, max_pages=max_pages)
    process.start()

    stats = crawler.stats.get_stats() if crawler.stats else {}
    note = limit_reached(stats, max_pages, settings.getint("CLOSESPIDER_ITEMCOUNT"))
    code, state, message = outcome(stats, note)
    print(summary_line(stats, args) + (f" {note}" if note else ""), flush=True)
    if code != EXIT_OK:
        print(message, file=sys.stderr)
    final_status({**progress_from_stats(stats), "state": state, "message": message})
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m scraping`."""
    args = build_parser().parse_args(argv)
    if args.command == "crawl":
        return run_crawl(args)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
