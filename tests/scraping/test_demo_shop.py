"""The demo shop: a crawl of every product page finds every review exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest

from scraping.demo_shop.catalog import BACKPACK, ESPRESSO, HEADPHONES, KETTLE, LAMP, SOCKS
from scraping.demo_shop.site import PRODUCT_PAGES, start_server
from tests.scraping.conftest import run_cli

CATALOG = {
    "Brio Espresso Machine": (ESPRESSO, 5),
    "Aurora Electric Kettle": (KETTLE, 5),
    "Nimbus ANC Headphones": (HEADPHONES, 5),
    "Terra 28L Travel Backpack": (BACKPACK, 5),
    "Lumen LED Desk Lamp": (LAMP, 10),
    "Cozy Merino Socks": (SOCKS, 5),
}


@pytest.fixture(scope="module")
def shop() -> Iterator[str]:
    """The demo shop on a free port."""
    server = start_server(0)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_shop_serves_pages_robots_and_404(shop: str) -> None:
    with urlopen(f"{shop}/robots.txt") as response:
        assert "Disallow: /admin/" in response.read().decode()
    with urlopen(f"{shop}/") as response:
        index = response.read().decode()
    assert all(path in index for path in PRODUCT_PAGES)
    with pytest.raises(OSError, match="404"):
        urlopen(f"{shop}/nope.html")


def test_crawl_of_the_demo_shop_finds_every_review_once(shop: str, tmp_path: Path) -> None:
    urls = [shop + path for path in PRODUCT_PAGES]
    result = run_cli([*urls, "--allow-private-addresses", "--no-store"], tmp_path)
    assert result.returncode == 0, result.stderr
    found = Counter(
        (r["product"], r["author"], r["text"], r["rating"], r["best_rating"], r["date"])
        for r in result.reviews
    )
    expected = Counter(
        (product, r.author, r.text, float(r.rating * scale // 5), float(scale), r.date)
        for product, (reviews, scale) in CATALOG.items()
        for r in reviews
    )
    assert found == expected
    assert result.status["pages"] == 6 + 2 + 1  # espresso has 3 review pages, socks 2


def test_the_default_port_is_not_a_documented_dashboard_port() -> None:
    import re
    from pathlib import Path

    from scraping.demo_shop.__main__ import DEFAULT_PORT

    repo = Path(__file__).resolve().parents[2]
    docs = [repo / "README.md", repo / "Dockerfile", *(repo / "docs").glob("*.md")]
    text = "\n".join(p.read_text(encoding="utf-8") for p in docs if p.is_file())
    dashboard_ports = {
        int(p) for p in re.findall(r"(?:localhost:|PORT=|-p |--server\.port[= ])(\d{4,5})", text)
    }
    assert 8501 in dashboard_ports, "the pattern still finds the documented dashboard port"
    assert DEFAULT_PORT not in dashboard_ports
