"""Each pipeline on its own, built with `get_crawler` (no network, no reactor running)."""

from __future__ import annotations

from datetime import datetime

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import DropItem, IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.internet import reactor  # noqa: F401 - get_crawler needs an installed reactor

from scraping.items import ReviewItem
from scraping.middlewares import AddressGuardMiddleware, AddressRefusedError
from scraping.pipelines.clean import CleanPipeline
from scraping.pipelines.dedupe import DedupePipeline, review_key
from scraping.pipelines.store import to_review_row
from scraping.pipelines.validate import ValidatePipeline
from scraping.spiders.reviews import ReviewsSpider


def make(pipeline_cls: type, **settings: object):
    crawler = get_crawler(ReviewsSpider, settings)
    spider = crawler._create_spider(urls="http://shop.test/p")
    crawler.spider = spider
    return pipeline_cls.from_crawler(crawler), crawler, spider


def item(**fields: object) -> ReviewItem:
    values: dict[str, object] = {
        "text": "Good kettle.",
        "source_url": "http://shop.test/p",
        "product": "Kettle",
    }
    values.update(fields)
    return ReviewItem(**values)  # type: ignore[arg-type]


def test_clean_unescapes_strips_tags_and_control_characters_and_counts() -> None:
    pipeline, crawler, spider = make(CleanPipeline)
    cleaned = pipeline.process_item(
        item(
            text="Too hot &amp; <b>loud</b>\x07 at\n\n night ",
            title="  ",
            author="Ann&nbsp;Lee",
            source_url="http://shop.test/p?a=1&amp;b=2",
        ),
        spider,
    )
    assert (cleaned.text, cleaned.title, cleaned.author) == ("Too hot & loud at night", None, "Ann Lee")
    assert cleaned.source_url == "http://shop.test/p?a=1&amp;b=2"  # URLs are left alone
    assert crawler.stats.get_value("clean/fields_changed") == 3


@pytest.mark.parametrize(
    ("rating", "best", "worst", "expected"),
    [
        ("4", "5", "1", (4.0, 5.0, 1.0, 0.75, "4")),
        ("4", None, None, (4.0, 5.0, 1.0, 0.75, "4")),  # schema.org's defaults: 1..5
        ("8", "10", "0", (8.0, 10.0, 0.0, 0.8, "8")),
        ("4,5", "5", None, (4.5, 5.0, 1.0, 0.875, "4,5")),
        ("4 out of 5", None, None, (4.0, 5.0, 1.0, 0.75, "4 out of 5")),
        ("★★☆☆☆", None, None, (2.0, 5.0, 1.0, 0.25, "★★☆☆☆")),
        ("80%", None, None, (80.0, 100.0, 0.0, 0.8, "80%")),
        ("great", "5", None, (None, None, None, None, "great")),
        ("7", "5", None, (None, None, None, None, "7")),  # above its scale
        (None, "5", None, (None, None, None, None, None)),
    ],
)
def test_validate_normalises_the_rating_and_keeps_the_raw_value(
    rating: str | None, best: str | None, worst: str | None, expected: tuple[object, ...]
) -> None:
    pipeline, crawler, spider = make(ValidatePipeline)
    out = pipeline.process_item(item(rating=rating, best_rating=best, worst_rating=worst), spider)
    assert (out.rating, out.best_rating, out.worst_rating, out.rating_normalized, out.rating_raw) == expected
    assert crawler.stats.get_value("validate/unparsed_rating") == (
        1 if expected[0] is None and rating else None
    )


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2024-03-05T10:00:00+01:00", "2024-03-05T09:00:00"),
        ("2024-03-06", "2024-03-06"),
        ("12 March 2024", "2024-03-12"),
        ("yesterday-ish", None),
    ],
)
def test_validate_turns_dates_into_iso(date: str, expected: str | None) -> None:
    pipeline, _, spider = make(ValidatePipeline)
    assert pipeline.process_item(item(date=date), spider).date == expected


@pytest.mark.parametrize(
    ("text", "reason"), [(None, "no review text"), ("", "no review text"), ("x" * 20_001, "longer than")]
)
def test_validate_drops_items_that_are_not_reviews(text: str | None, reason: str) -> None:
    pipeline, crawler, spider = make(ValidatePipeline)
    with pytest.raises(DropItem, match=reason):
        pipeline.process_item(item(text=text), spider)
    assert sum(v for k, v in crawler.stats.get_stats().items() if k.startswith("validate/dropped/")) == 1


def test_dedupe_drops_the_second_copy_within_a_crawl() -> None:
    pipeline, crawler, spider = make(DedupePipeline)
    pipeline.process_item(item(text="Great!", author="Ann"), spider)
    pipeline.process_item(item(text="Great!", author="Bob"), spider)  # another customer
    pipeline.process_item(item(text="Great!", author="Ann", product="Mug"), spider)  # another product
    with pytest.raises(DropItem, match="duplicate review in this crawl"):
        pipeline.process_item(item(text="  great! ", author="ann", product="kettle"), spider)
    assert crawler.stats.get_value("dedupe/dropped") == 1
    assert review_key(item(text="A")) != review_key(item(text="A", title="T"))


def test_store_row_from_a_validated_item() -> None:
    validated = item(
        text="Good kettle.",
        title="Nice",
        author="Ann",
        date="2024-03-05T09:00:00",
        rating=4.0,
        rating_raw="4",
        rating_normalized=0.75,
    )
    row = to_review_row(validated, row_number=3)
    assert (row.text, row.product, row.title, row.author, row.source_url) == (
        "Good kettle.",
        "Kettle",
        "Nice",
        "Ann",
        "http://shop.test/p",
    )
    assert (row.review_date, row.rating, row.rating_raw, row.row_number) == (
        datetime(2024, 3, 5, 9),
        0.75,
        "4",
        3,
    )
    assert to_review_row(item(date="2024-03-06")).review_date == datetime(2024, 3, 6)


def test_guard_middleware_refuses_private_requests_unless_allowed() -> None:
    guard, crawler, spider = make(AddressGuardMiddleware)
    with pytest.raises(AddressRefusedError, match=r"10\.0\.0\.1 is a private-network address"):
        guard.process_request(Request("http://10.0.0.1/p"), spider)
    with pytest.raises(AddressRefusedError, match="only http and https"):
        guard.process_request(Request("file:///etc/passwd"), spider)
    assert crawler.stats.get_value("guard/refused") == 2
    allowed, _, spider = make(AddressGuardMiddleware, ADDRESS_GUARD_ALLOW_PRIVATE=True)
    assert allowed.process_request(Request("http://10.0.0.1/p"), spider) is None


def test_a_redirect_to_a_private_address_is_refused() -> None:
    # Scrapy re-schedules the redirect target as a new request, which passes the guard again.
    guard, _, spider = make(AddressGuardMiddleware)
    redirects, _, _ = make(RedirectMiddleware)
    start = Request("http://93.184.215.14/product")
    assert guard.process_request(start, spider) is None
    response = HtmlResponse(
        start.url, status=302, headers={"Location": "http://127.0.0.1:8080/admin"}, request=start
    )
    hop = redirects.process_response(start, response, spider)
    assert isinstance(hop, Request) and hop.url == "http://127.0.0.1:8080/admin"
    with pytest.raises(IgnoreRequest, match=r"127\.0\.0\.1 is a loopback address"):
        guard.process_request(hop, spider)


def test_guard_checks_the_address_the_response_came_from() -> None:
    import ipaddress

    guard, _, spider = make(AddressGuardMiddleware)
    request = Request("http://93.184.215.14/product")
    public = HtmlResponse(
        request.url, body=b"", ip_address=ipaddress.ip_address("93.184.215.14"), request=request
    )
    assert guard.process_response(request, public, spider) is public
    rebound = HtmlResponse(
        request.url, body=b"", ip_address=ipaddress.ip_address("10.1.2.3"), request=request
    )
    with pytest.raises(AddressRefusedError, match=r"answered from 10\.1\.2\.3"):
        guard.process_response(request, rebound, spider)
