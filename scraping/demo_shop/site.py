"""The demo shop's pages, rendered once into memory, and a tiny HTTP server for them.

Each product page shows a different way shops publish reviews, so one crawl of each exercises
the whole extractor:

* `/product.html` - espresso machine, JSON-LD, reviews paginated over three pages (rel="next")
* `/products/aurora-kettle.html` - JSON-LD `Product` with nested `review` array
* `/products/nimbus-headphones.html` - JSON-LD `@graph` with `@id` links and stand-alone reviews
* `/products/terra-backpack.html` - microdata
* `/products/lumen-desk-lamp.html` - RDFa, ratings out of 10
* `/plain/cozy-socks.html` - no markup at all: needs the `demo_shop` site profile (two pages)
* `/admin/` - disallowed by robots.txt
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from scraping.demo_shop.catalog import BACKPACK, ESPRESSO, HEADPHONES, KETTLE, LAMP, SOCKS, DemoReview

Page = tuple[str, bytes]  # (content type, body)
SHOP = "Northwind Demo Shop"


def _layout(title: str, body: str, head: str = "") -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} · {SHOP}</title>\n"
        f'{head}</head>\n<body>\n<header><a href="/">{SHOP}</a></header>\n<main>\n{body}\n</main>\n'
        "<footer>Demo data for the review-sentiment dashboard. Not a real shop.</footer>\n</body></html>\n"
    )


def _visible(reviews: list[DemoReview], scale: int = 5) -> str:
    """Reviews as plain HTML (what a visitor sees; no markup attributes)."""
    cards = []
    for r in reviews:
        cards.append(
            f'<article class="review"><h3>{escape(r.title)}</h3><p class="meta">{escape(r.author)}, '
            f"{r.date}, {r.rating * scale // 5}/{scale}</p><p>{escape(r.text)}</p></article>"
        )
    return "\n".join(cards)


def _jsonld(data: object) -> str:
    # "</" must not appear raw inside a script element.
    return (
        '<script type="application/ld+json">'
        + json.dumps(data, indent=1).replace("</", "<\\/")
        + "</script>\n"
    )


def _review_ld(r: DemoReview) -> dict[str, object]:
    return {
        "@type": "Review",
        "name": r.title,
        "reviewBody": r.text,
        "datePublished": r.date,
        "author": {"@type": "Person", "name": r.author},
        "reviewRating": {"@type": "Rating", "ratingValue": r.rating, "bestRating": 5, "worstRating": 1},
    }


def _aggregate(reviews: list[DemoReview]) -> dict[str, object]:
    mean = round(sum(r.rating for r in reviews) / len(reviews), 1)
    return {"@type": "AggregateRating", "ratingValue": mean, "bestRating": 5, "reviewCount": len(reviews)}


def espresso_pages() -> dict[str, str]:
    """Three review pages of one product; only the first names the product."""
    chunks = [ESPRESSO[0:4], ESPRESSO[4:8], ESPRESSO[8:]]
    paths = ["/product.html", "/product.html?page=2", "/product.html?page=3"]
    pages = {}
    for number, (path, chunk) in enumerate(zip(paths, chunks, strict=True), start=1):
        if number == 1:
            data: object = {
                "@context": "https://schema.org",
                "@type": "Product",
                "name": "Brio Espresso Machine",
                "sku": "BRIO-EM-2",
                "gtin13": "4006381333931",
                "url": "/product.html",
                "aggregateRating": _aggregate(ESPRESSO),
                "review": [_review_ld(r) for r in chunk],
            }
        else:  # later pages list the reviews only, as many shops do
            data = [{"@context": "https://schema.org", **_review_ld(r)} for r in chunk]
        links = ""
        if number < len(paths):
            links += f'<a rel="next" href="{escape(paths[number])}">More reviews</a>'
        head = _jsonld(data)
        body = f"<h1>Brio Espresso Machine</h1><p>Page {number} of reviews</p>\n{_visible(chunk)}\n"
        body += f"<nav>{links}</nav>"
        pages[path] = _layout("Brio Espresso Machine", body, head)
    return pages


def kettle_page() -> str:
    """JSON-LD Product with its reviews nested."""
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "Aurora Electric Kettle",
        "sku": "AUR-KT-17",
        "gtin13": "5012345678900",
        "aggregateRating": _aggregate(KETTLE),
        "review": [_review_ld(r) for r in KETTLE],
    }
    body = f"<h1>Aurora Electric Kettle</h1><p>1.7 l, temperature presets.</p>\n{_visible(KETTLE)}"
    return _layout("Aurora Electric Kettle", body, _jsonld(data))


def headphones_page() -> str:
    """JSON-LD @graph: the product, reviews linked by @id, and stand-alone reviews with itemReviewed."""
    graph: list[dict[str, object]] = [
        {
            "@type": "WebPage",
            "@id": "#page",
            "name": "Nimbus ANC Headphones",
            "breadcrumb": {"@id": "#crumbs"},
        },
        {"@type": "BreadcrumbList", "@id": "#crumbs", "itemListElement": []},
        {
            "@type": "Product",
            "@id": "#product",
            "name": "Nimbus ANC Headphones",
            "sku": "NMB-ANC-300",
            "brand": {"@type": "Brand", "name": "Nimbus"},
            "aggregateRating": _aggregate(HEADPHONES),
            "review": [{"@id": f"#review-{i}"} for i in range(3)],
        },
    ]
    for i, r in enumerate(HEADPHONES):
        node: dict[str, object] = {"@id": f"#review-{i}", **_review_ld(r)}
        if i >= 3:
            node["itemReviewed"] = {"@id": "#product"}
        graph.append(node)
    data = {"@context": "https://schema.org", "@graph": graph}
    body = f"<h1>Nimbus ANC Headphones</h1>\n{_visible(HEADPHONES)}"
    return _layout("Nimbus ANC Headphones", body, _jsonld(data))


def backpack_page() -> str:
    """Microdata."""
    reviews = []
    for r in BACKPACK:
        reviews.append(
            f'<article itemprop="review" itemscope itemtype="https://schema.org/Review">'
            f'<h3 itemprop="name">{escape(r.title)}</h3>'
            f'<p>by <span itemprop="author" itemscope itemtype="https://schema.org/Person">'
            f'<span itemprop="name">{escape(r.author)}</span></span>, '
            f'<time itemprop="datePublished" datetime="{r.date}">{r.date}</time></p>'
            f'<p itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">'
            f'<span itemprop="ratingValue">{r.rating}</span>/<span itemprop="bestRating">5</span></p>'
            f'<p itemprop="reviewBody">{escape(r.text)}</p></article>'
        )
    body = (
        '<div itemscope itemtype="https://schema.org/Product">'
        '<h1 itemprop="name">Terra 28L Travel Backpack</h1><meta itemprop="sku" content="TER-28">'
        + "\n".join(reviews)
        + "</div>"
    )
    return _layout("Terra 28L Travel Backpack", body)


def lamp_page() -> str:
    """RDFa Lite, ratings on a 10-point scale."""
    reviews = []
    for r in LAMP:
        reviews.append(
            f'<article property="review" typeof="Review"><h3 property="name">{escape(r.title)}</h3>'
            '<p><span property="author" typeof="Person">'
            f'<span property="name">{escape(r.author)}</span></span>'
            f' · <span property="datePublished" content="{r.date}">{r.date}</span></p>'
            f'<p property="reviewRating" typeof="Rating"><span property="ratingValue">{r.rating * 2}</span>'
            f' out of <span property="bestRating">10</span><meta property="worstRating" content="0"></p>'
            f'<p property="reviewBody">{escape(r.text)}</p></article>'
        )
    body = (
        '<div vocab="https://schema.org/" typeof="Product"><h1 property="name">Lumen LED Desk Lamp</h1>'
        '<meta property="sku" content="LUM-DL-5">' + "\n".join(reviews) + "</div>"
    )
    return _layout("Lumen LED Desk Lamp", body)


def socks_pages() -> dict[str, str]:
    """No structured data: the `demo_shop` site profile reads these (two pages, "Older reviews" link)."""
    chunks = [SOCKS[:3], SOCKS[3:]]
    paths = ["/plain/cozy-socks.html", "/plain/cozy-socks-2.html"]
    pages = {}
    for number, (path, chunk) in enumerate(zip(paths, chunks, strict=True), start=1):
        cards = "\n".join(
            f'<div class="review-card"><div class="stars" data-score="{r.rating}">{"★" * r.rating}</div>'
            f'<h4 class="headline">{escape(r.title)}</h4><p class="body">{escape(r.text)}</p>'
            f'<p class="byline"><span class="who">{escape(r.author)}</span> on <time datetime="{r.date}">'
            f"{r.date}</time></p></div>"
            for r in chunk
        )
        more = f'<a class="older" href="{paths[number]}">Older reviews</a>' if number < len(paths) else ""
        body = (
            f'<h1 class="product-title">Cozy Merino Socks</h1>\n<section id="reviews">{cards}</section>{more}'
        )
        pages[path] = _layout("Cozy Merino Socks", body)
    return pages


def index_page(urls: dict[str, str]) -> str:
    """The shop's front page: every product and how its reviews are published."""
    items = "\n".join(f'<li><a href="{path}">{escape(label)}</a></li>' for path, label in urls.items())
    return _layout("Products", f"<h1>{SHOP}</h1>\n<ul>\n{items}\n</ul>")


PRODUCT_PAGES = {
    "/product.html": "Brio Espresso Machine (JSON-LD, 3 review pages)",
    "/products/aurora-kettle.html": "Aurora Electric Kettle (JSON-LD)",
    "/products/nimbus-headphones.html": "Nimbus ANC Headphones (JSON-LD @graph)",
    "/products/terra-backpack.html": "Terra 28L Travel Backpack (microdata)",
    "/products/lumen-desk-lamp.html": "Lumen LED Desk Lamp (RDFa)",
    "/plain/cozy-socks.html": "Cozy Merino Socks (no markup: site profile)",
}
ROBOTS_TXT = "User-agent: *\nDisallow: /admin/\n"


def build_pages() -> dict[str, Page]:
    """Every page of the shop by path (query string included)."""
    html: dict[str, str] = {"/": index_page(PRODUCT_PAGES), "/index.html": index_page(PRODUCT_PAGES)}
    html.update(espresso_pages())
    html["/products/aurora-kettle.html"] = kettle_page()
    html["/products/nimbus-headphones.html"] = headphones_page()
    html["/products/terra-backpack.html"] = backpack_page()
    html["/products/lumen-desk-lamp.html"] = lamp_page()
    html.update(socks_pages())
    html["/admin/"] = _layout("Admin", "<h1>Staff only</h1>")
    pages: dict[str, Page] = {
        path: ("text/html; charset=utf-8", body.encode()) for path, body in html.items()
    }
    pages["/robots.txt"] = ("text/plain; charset=utf-8", ROBOTS_TXT.encode())
    return pages


def make_handler(pages: dict[str, Page]) -> Callable[..., BaseHTTPRequestHandler]:
    """A request handler class serving `pages` (404 for anything else)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "NorthwindDemo/1.0"

        def do_GET(self) -> None:
            page = pages.get(self.path)
            status = 200 if page else 404
            content_type, body = page or (
                "text/html; charset=utf-8",
                _layout("Not found", "<h1>404</h1>").encode(),
            )
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the crawler prints what it fetched; keep the demo's terminal readable

    return Handler


def start_server(port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Serve the shop on `host:port` (0 = a free port) from a daemon thread; return the server."""
    server = ThreadingHTTPServer((host, port), make_handler(build_pages()))
    threading.Thread(target=server.serve_forever, daemon=True, name="demo-shop").start()
    return server
