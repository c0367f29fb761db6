"""Scrape: fetch a product's reviews from its web pages, with live progress and Cancel.

The crawl runs in its own process (`scraping.runner.CrawlJob`: Twisted's reactor cannot restart
inside Streamlit); this page starts it, polls its status file about once a second from a
fragment, and links to the product's insights when it is done.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from core.settings import REPO_ROOT, get_settings
from dashboard import state
from dashboard.highlight import escape_markdown
from dashboard.i18n import current_language, number, t
from dashboard.state import Keys

if TYPE_CHECKING:
    from scraping.runner import CrawlJob, CrawlStatus

PROFILES_DIR = REPO_ROOT / "scraping" / "profiles"
POLL_SECONDS = 1.0
NO_PROFILE = "\u2014"
# The crawler's own (English, command-line) sentences, matched here and said in the page's words and
# language: the page's checkbox instead of a command-line flag, Spanish when chosen. A sentence not
# listed is shown as it is. Each pattern maps to an i18n key; its groups fill the key's placeholders.
# the guard's address kinds ("a loopback address"), each said by the i18n key scrape.kind.<word>
ADDRESS_KINDS = (
    "loopback",
    "unspecified",
    "link-local",
    "multicast",
    "carrier-grade",
    "reserved",
    "private-network",
)
CLI_PRIVATE_HINT = re.compile(
    r" Pass --allow-private-addresses \(or set SENTIMENT_SCRAPE_ALLOW_PRIVATE\)[^.]*\."
)
MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), key)
    for pattern, key in (
        (r"Starting…", "scrape.msg.starting"),
        (r"Crawling…", "scrape.msg.crawling"),
        (r"Done\.", "scrape.msg.done"),
        (r"Crawl cancelled; nothing was stored\.", "scrape.cancelled"),
        (r"No reviews found on the fetched page\(s\)\..*", "scrape.no_reviews"),
        (r"Nothing could be fetched \(no page answered\)\.", "scrape.msg.no_answer"),
        (r"Nothing could be fetched: (?P<reasons>.*)", "scrape.msg.nothing_fetched"),
        (r"Stopped at the review limit of (?P<n>[\d,]+) reviews.*", "scrape.msg.item_limit"),
        (r"Stopped at the request limit.*", "scrape.msg.request_limit"),
        (r"Stopped at the crawl's time limit.*", "scrape.msg.time_limit"),
        (r"Stopped at the page limit of (?P<n>[\d,]+) pages.*", "scrape.msg.page_limit"),
        (r"Refused '(?P<url>[^']*)': (?P<why>.*?)\.", "scrape.msg.refused"),
        (
            r"(?P<url>\S+) is disallowed by the site's robots\.txt, so it was not fetched\.",
            "scrape.msg.robots",
        ),
        (r"The host of (?P<url>\S+) could not be found .*", "scrape.msg.dns"),
        (r"(?P<url>\S+) did not answer in time \(timeout\)\.", "scrape.msg.timeout"),
        (r"Could not connect to (?P<url>\S+) \(.*\); is the site up\?", "scrape.msg.connection"),
        (r"(?P<url>\S+) answered HTTP (?P<status>\d+) \(.*\)\.", "scrape.msg.http"),
    )
)


def parse_urls(text: str) -> list[str]:
    """One URL per non-blank line (commas and spaces also separate), duplicates removed."""
    seen: dict[str, None] = {}
    for part in text.replace(",", "\n").split():
        if part.strip():
            seen.setdefault(part.strip(), None)
    return list(seen)


def profiles() -> list[Path]:
    """The site profiles shipped in `scraping/profiles/` (TOML or YAML)."""
    if not PROFILES_DIR.is_dir():
        return []
    return sorted(p for p in PROFILES_DIR.iterdir() if p.suffix in {".toml", ".yaml", ".yml"})


def private_hint() -> str:
    """Where to allow local addresses, in this page's terms."""
    if get_settings().scrape_allow_private:
        return t("scrape.msg.tick_private", checkbox=t("scrape.allow_private"))
    return t("scrape.msg.private_setting")


def readable(message: str, hint: Callable[[], str] = private_hint, private: bool = False) -> str:
    """A crawler sentence (or several, as the crawler joins them) in the page's language and terms.

    :param private: the sentence refuses an address that allowing local addresses would let through.
    """
    private = private or CLI_PRIVATE_HINT.search(message) is not None
    message = CLI_PRIVATE_HINT.sub("", message.strip())
    if not message:
        return ""
    for pattern, key in MESSAGES:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        values = {k: v for k, v in found.groupdict().items() if v is not None}
        if "reasons" in values:
            parts = values["reasons"].split("; ")
            values["reasons"] = " ".join(readable(part, hint, private) for part in parts)
        if "why" in values:
            values["why"] = f"{readable_reason(values['why'])} {hint()}" if private else values["why"] + "."
        if "n" in values:
            values["n"] = number(int(values["n"].replace(",", "")), current_language())
        return t(key, **values)
    done = re.fullmatch(r"Done\. (?P<note>.*)", message, re.DOTALL)
    if done:
        return t("scrape.msg.done") + " " + readable(done["note"], hint, private)
    return message


def readable_reason(why: str) -> str:
    """The address guard's reason ("127.0.0.1 is a loopback address") in the page's language."""
    found = re.fullmatch(r"host \S+ resolves to (?P<ip>\S+), (?P<kind>.*)|(?P<ip2>\S+) is (?P<kind2>.*)", why)
    if found is None:
        return why + "."
    kind = found["kind"] or found["kind2"]
    words = kind.split()
    slug = next((w for w in ADDRESS_KINDS if w in words), None)
    kind_text = t(f"scrape.kind.{slug}") if slug else kind
    return t("scrape.msg.address", ip=found["ip"] or found["ip2"], kind=kind_text)


def start(urls: list[str], product: str, max_pages: int, profile: Path | None, allow_private: bool) -> None:
    """Start a crawl; a refusal (bad URL, private address) becomes a readable message."""
    from scraping.runner import CrawlJob

    st.session_state[Keys.CRAWL_ERROR] = None
    try:
        job = CrawlJob.start(
            urls,
            product=product.strip() or None,
            max_pages=max_pages,
            profile=profile,
            allow_private=allow_private,
        )
    except (ValueError, OSError) as exc:
        st.session_state[Keys.CRAWL_ERROR] = readable(str(exc))
        return
    st.session_state[Keys.CRAWL_JOB] = job
    st.session_state["crawl_done_seen"] = False


def cancel() -> None:
    """Callback: stop the running crawl (its process is terminated; stored reviews stay)."""
    job: CrawlJob | None = st.session_state.get(Keys.CRAWL_JOB)
    if job is not None:
        job.cancel()


def show_status(status: CrawlStatus) -> None:
    """Counters, the message, errors and, when finished, the way to the product's charts."""
    lang = current_language()
    cols = st.columns(4)
    cols[0].metric(t("scrape.pages"), number(status.pages, lang))
    cols[1].metric(t("scrape.found"), number(status.items, lang))
    cols[2].metric(t("scrape.stored"), number(status.stored, lang))
    cols[3].metric(t("scrape.duplicates"), number(status.duplicates, lang))
    message = escape_markdown(readable(status.message or ""))
    if status.state == "running":
        st.info(message or t("scrape.msg.crawling"), icon=":material/progress_activity:")
        st.button(t("scrape.cancel"), key="cancel_crawl", on_click=cancel, icon=":material/stop_circle:")
    elif status.state == "finished":
        if status.items == 0:
            st.warning(t("scrape.no_reviews"), icon=":material/search_off:")
        else:
            # the crawler's verdict says whether a page or review limit stopped it early
            st.success(
                f"{t('scrape.finished', items=status.items, stored=status.stored)} {message}",
                icon=":material/check_circle:",
            )
            st.page_link("views/products.py", label=t("scrape.open_products"), icon=":material/insights:")
    elif status.state == "cancelled":
        st.warning(t("scrape.cancelled"), icon=":material/stop_circle:")
    else:
        st.error(message or t("scrape.failed"), icon=":material/error:")
        if status.items == 0 and not any("robots" in e or "refused" in e.lower() for e in status.errors):
            st.caption(t("scrape.profile_hint"))
    if status.errors:
        with st.expander(t("scrape.errors", n=len(status.errors)), expanded=status.state == "failed"):
            for error in status.errors[:50]:
                st.text(readable(error))


def progress_panel() -> None:
    """Re-run about once a second while a crawl runs; one full rerun when it ends."""
    job: CrawlJob | None = st.session_state.get(Keys.CRAWL_JOB)
    if job is None:
        return
    status = job.status()
    show_status(status)
    if status.state != "running" and not st.session_state.get("crawl_done_seen"):
        st.session_state["crawl_done_seen"] = True
        if status.products:
            st.session_state[Keys.SELECTED_PRODUCTS] = list(status.products)
        state.invalidate()
        st.rerun(scope="app")  # stop polling and refresh every cached frame


def main() -> None:
    """Render the page."""
    state.init_state()
    settings = get_settings()
    st.title(t("page.scrape"))
    st.caption(t("scrape.intro"))
    st.caption(t("scrape.demo_hint"))
    job: CrawlJob | None = st.session_state[Keys.CRAWL_JOB]
    running = job is not None and job.status().state == "running"
    with st.form("crawl_form", border=True):
        urls_text = st.text_area(
            t("scrape.urls"), key="crawl_urls", placeholder="https://shop.example.com/product/123"
        )
        cols = st.columns([3, 1, 2])
        product = cols[0].text_input(t("scrape.product"), key="crawl_product", help=t("scrape.product_help"))
        max_pages = cols[1].number_input(
            t("scrape.max_pages"),
            min_value=1,
            max_value=settings.scrape_max_pages,
            value=min(5, settings.scrape_max_pages),
            key="crawl_pages",
        )
        options = [NO_PROFILE, *[p.name for p in profiles()]]
        profile_name = cols[2].selectbox(
            t("scrape.profile"), options, key="crawl_profile", help=t("scrape.profile_help")
        )
        allow_private = False
        if settings.scrape_allow_private:  # only an installation that allows it offers it, ticked
            allow_private = st.checkbox(
                t("scrape.allow_private"),
                value=settings.scrape_allow_private,
                key="crawl_private",
                help=t("scrape.allow_private_help"),
            )
        submitted = st.form_submit_button(
            t("scrape.start"), type="primary", icon=":material/play_arrow:", disabled=running
        )
    if submitted:
        urls = parse_urls(urls_text)
        if not urls:
            st.session_state[Keys.CRAWL_ERROR] = t("scrape.need_url")
        else:
            profile = PROFILES_DIR / profile_name if profile_name != NO_PROFILE else None
            start(urls, product, int(max_pages), profile, allow_private)
    error = st.session_state[Keys.CRAWL_ERROR]
    if error:
        st.error(escape_markdown(error), icon=":material/error:")
    job = st.session_state[Keys.CRAWL_JOB]
    if job is not None:
        # poll only while the crawl runs (checked again: Start may have just launched one)
        running = job.status().state == "running"
        st.fragment(progress_panel, run_every=POLL_SECONDS if running else None)()


if __name__ in {"__main__", "__page__"}:
    main()
