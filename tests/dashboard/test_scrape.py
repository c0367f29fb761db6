"""Scrape page: form checks, the address policy, and a real crawl of the demo shop with progress."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from core.settings import get_settings
from core.storage.queries import reviews_frame
from dashboard.state import Keys
from tests.dashboard.apptest import open_page, shown

CRAWL_TIMEOUT_S = 180


@pytest.fixture
def demo_shop() -> Iterator[str]:
    """The demo shop on a free local port (served from a thread of this process)."""
    from scraping.demo_shop.site import start_server

    server = start_server(0)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture
def allow_private(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTIMENT_SCRAPE_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()


def submit(at, urls: str, private: bool | None = None, pages: int | None = None):
    at.text_area(key="crawl_urls").input(urls)
    if private is not None:
        box = at.checkbox(key="crawl_private")
        box.check() if private else box.uncheck()
    if pages is not None:
        at.number_input(key="crawl_pages").set_value(pages)
    at.get("form_submit_button")[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def wait_for_end(at):
    """Re-run the page (the browser's fragment does this every second) until the crawl ends."""
    deadline = time.monotonic() + CRAWL_TIMEOUT_S
    while time.monotonic() < deadline:
        job = at.session_state[Keys.CRAWL_JOB]
        if job.status().state != "running":
            at.run()  # the run that notices the end and refreshes the page
            return at.run()
        time.sleep(0.5)
        at.run()
    job.cancel()
    pytest.fail(f"crawl did not finish in {CRAWL_TIMEOUT_S} s: {job.log_tail()}")


def test_start_needs_a_url(store) -> None:
    at = submit(open_page("scrape"), "   ")
    assert shown(at.error[0].value) == "Enter at least one URL."
    assert at.session_state[Keys.CRAWL_JOB] is None


def test_private_addresses_are_an_explicit_opt_in(store, monkeypatch) -> None:
    monkeypatch.delenv("SENTIMENT_SCRAPE_ALLOW_PRIVATE", raising=False)
    get_settings.cache_clear()
    assert "crawl_private" not in [c.key for c in open_page("scrape").checkbox]
    monkeypatch.setenv("SENTIMENT_SCRAPE_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    assert "crawl_private" in [c.key for c in open_page("scrape").checkbox]


def test_local_address_is_refused_without_the_setting(store, demo_shop, monkeypatch) -> None:
    monkeypatch.delenv("SENTIMENT_SCRAPE_ALLOW_PRIVATE", raising=False)
    get_settings.cache_clear()
    at = wait_for_end(submit(open_page("scrape"), f"{demo_shop}/product.html"))
    message = shown(at.error[0].value)
    assert "loopback address" in message and "SENTIMENT_SCRAPE_ALLOW_PRIVATE" in message, message
    assert reviews_frame(store).empty


def test_crawl_the_demo_shop(store, predictor, demo_shop, allow_private) -> None:
    at = submit(open_page("scrape"), f"{demo_shop}/product.html", private=True)
    assert at.session_state[Keys.CRAWL_JOB] is not None
    at = wait_for_end(at)
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Pages fetched"]) >= 3  # the espresso machine's reviews span three pages
    found = int(metrics["Reviews found"].replace(",", ""))
    assert found > 0 and int(metrics["Stored"].replace(",", "")) == found
    assert "reviews found" in at.success[0].value
    assert any(link.proto.page.endswith("products") for link in at.page_link)
    stored = reviews_frame(store)
    assert len(stored) == found and set(stored["source"]) == {"scrape"}
    # the crawled product is preselected on the Products page
    assert set(at.session_state[Keys.SELECTED_PRODUCTS]) == set(stored["product"])


def test_cancel_stops_the_crawl(store, demo_shop, allow_private) -> None:
    at = submit(open_page("scrape"), f"{demo_shop}/product.html", private=True)
    job = at.session_state[Keys.CRAWL_JOB]
    assert job.status().state == "running"  # the crawler process takes seconds to start
    at.button(key="cancel_crawl").click().run()
    assert job.process.poll() is not None  # the crawl's process is gone
    at.run()
    assert "Cancelled" in at.warning[0].value
    assert not at.button or "cancel_crawl" not in [b.key for b in at.button]
    assert reviews_frame(store).empty


def test_the_private_address_checkbox_follows_the_setting_and_the_refusal_points_to_it(
    store, demo_shop, allow_private
) -> None:
    at = open_page("scrape")
    assert at.checkbox(key="crawl_private").value is True  # the setting allows it: ticked by default
    at = wait_for_end(submit(at, f"{demo_shop}/product.html", private=False))
    message = shown(at.error[0].value)
    assert '"Allow private and local addresses"' in message, message
    assert "--allow-private" not in message and "SENTIMENT_SCRAPE_ALLOW_PRIVATE" not in message


def test_a_crawl_stopped_by_the_page_limit_says_so(store, predictor, demo_shop, allow_private) -> None:
    at = wait_for_end(submit(open_page("scrape"), f"{demo_shop}/product.html", pages=1))
    done = at.success[0].value
    assert "reviews found" in done and "page limit of 1 pages" in done, done


def test_crawler_sentences_read_in_the_page_language() -> None:
    import streamlit as st

    from dashboard.views.scrape import readable

    refused = (
        "Nothing could be fetched: Refused 'http://127.0.0.1:8765/x': 127.0.0.1 is a loopback address. "
        "Pass --allow-private-addresses (or set SENTIMENT_SCRAPE_ALLOW_PRIVATE) only for a site you trust."
    )
    st.session_state[Keys.LANG] = "es"  # outside a script run: the bare session readable() reads
    try:
        text = readable(refused, hint=lambda: "PISTA")
        assert text.startswith(
            "No se pudo obtener nada: Rechazada http://127.0.0.1:8765/x: "
            "127.0.0.1 es una dirección de bucle local"
        )
        assert text.endswith("PISTA") and "--allow" not in text
        limit = readable(
            "Done. Stopped at the page limit of 1,200 pages; more review pages were not fetched."
        )
        assert limit.startswith("Listo. Se detuvo en el límite de 1.200 páginas")
        assert readable("Crawling…") == "Extrayendo…"
    finally:
        st.session_state[Keys.LANG] = "en"
