"""Scrapy settings for the reviews crawler: a flat module of polite, safe defaults.

Per-crawl values (page/item limits, private-address flag, output file) are overridden by
`python -m scraping crawl` with command-line priority; the defaults come from `core.settings`,
so the SENTIMENT_SCRAPE_* environment variables apply to both `scrapy crawl` and the CLI.
"""

from core.settings import get_settings

_settings = get_settings()

BOT_NAME = "review-sentiment"
SPIDER_MODULES = ["scraping.spiders"]
NEWSPIDER_MODULE = "scraping.spiders"

# Say honestly who we are and how to reach us; replace the placeholder URL when deploying.
USER_AGENT = (
    "review-sentiment-dashboard/0.1 (+https://example.invalid/review-sentiment; reviews research bot)"
)

# Politeness: obey robots.txt, one request at a time per site, adaptive delay.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = _settings.scrape_delay_s  # SENTIMENT_SCRAPE_DELAY_S; AutoThrottle never goes below it
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = max(_settings.scrape_delay_s, 0.1)
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False

# Failure handling: bounded time per request, retry server errors, few redirect hops.
DOWNLOAD_TIMEOUT = _settings.scrape_timeout_s
DNS_TIMEOUT = min(_settings.scrape_timeout_s, 20)
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # a review page is never 10 MB; refuse to buffer more
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# Limits per crawl. The spider stops following "next" links at SCRAPE_MAX_PAGES; the
# CloseSpider page count is a backstop that also counts robots.txt, retries and redirects.
SCRAPE_MAX_PAGES = _settings.scrape_max_pages
CLOSESPIDER_PAGECOUNT = _settings.scrape_max_pages * 3 + 5
CLOSESPIDER_ITEMCOUNT = _settings.scrape_max_items
CLOSESPIDER_TIMEOUT = 30 * 60

# Address policy (scraping.guard): refuse private/loopback/link-local/metadata hosts.
ADDRESS_GUARD_ALLOW_PRIVATE = _settings.scrape_allow_private
DOWNLOADER_MIDDLEWARES = {
    # Before RobotsTxtMiddleware (100), so not even robots.txt is fetched from a refused host.
    "scraping.middlewares.AddressGuardMiddleware": 50,
}

# Items: clean -> validate -> drop duplicates -> store (the store is switched off by --no-store).
ITEM_PIPELINES = {
    "scraping.pipelines.clean.CleanPipeline": 100,
    "scraping.pipelines.validate.ValidatePipeline": 200,
    "scraping.pipelines.dedupe.DedupePipeline": 300,
    "scraping.pipelines.store.StorePipeline": 900,
}
REVIEW_STORE_ENABLED = True
REVIEW_DEFAULT_PRODUCT = "Unassigned"

# Live progress for the dashboard: a JSON file rewritten as the crawl goes (empty = off).
EXTENSIONS = {"scraping.status.StatusFileExtension": 500}
STATUS_FILE = ""

LOG_LEVEL = _settings.log_level
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
