"""End to end in a real browser: `streamlit run` + Debian's Chromium driven by Playwright.

One session walks the whole product as a new user would: load the demo sample, read the
Products charts, upload a semicolon/latin-1 CSV, paste reviews (hostile Markdown included), crawl
the demo shop, and open the Model page. A screenshot of each page goes to artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dashboard.apptest import FIXTURES
from tests.dashboard.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    dashboard,
    demo_shop,
    shoot,
    wait_for_charts,
    wait_idle,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]

LOAD_TIMEOUT_MS = 180_000  # scoring the 1,200-review demo sample on a busy 2-core machine
STEP_TIMEOUT_MS = 60_000
CRAWL_TIMEOUT_MS = 180_000
LATIN1_CSV = (
    "Fecha;Opinión;Puntuación\n"
    "03/04/2026;Café excelente, la mejor cafetera;5\n"
    "15/04/2026;Llegó rota, fatal;1\n"
)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app's data folder (its SQLite store is `reviews.sqlite` in it)."""
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def servers(work: Path) -> Iterator[tuple[str, str]]:
    """(app URL, demo shop URL), each on a free port, the app with its own empty data folder."""
    with demo_shop(work) as shop, dashboard(work, {"SENTIMENT_SCRAPE_ALLOW_PRIVATE": "true"}) as app:
        yield app, shop


@pytest.fixture(scope="module")
def page(servers: tuple[str, str]):
    """One browser tab for the whole walk (session state carries across pages, as for a user)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.set_default_timeout(STEP_TIMEOUT_MS)
            tab.goto(servers[0], wait_until="domcontentloaded")
            yield tab
        finally:
            browser.close()


def go(page, title: str) -> None:
    """Open a page from the sidebar navigation, as a user would."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title, exact=True).first.wait_for()
    wait_idle(page)


def total_of(caption: str) -> int:
    """The total in the review table's "Showing n of total reviews" caption."""
    return int(re.search(r"of ([\d,]+)", caption).group(1).replace(",", ""))


def test_1_overview_loads_the_sample(page) -> None:
    page.get_by_text("No reviews yet").wait_for()
    shoot(page, "overview-empty")
    page.get_by_role("button", name="Load sample data").click()
    page.get_by_text("Demo sample loaded").wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_idle(page)
    tiles = page.locator('[data-testid="stMetric"]')
    tiles.nth(5).wait_for()
    assert tiles.count() == 6
    assert "1,200" in tiles.first.inner_text()
    page.get_by_text("Products needing attention").wait_for()
    wait_for_charts(page, 1)
    shoot(page, "overview")


def test_1b_deep_link_and_a_flagged_row_opens_its_product(page, servers: tuple[str, str]) -> None:
    page.goto(f"{servers[0]}/overview", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Overview", exact=True).wait_for()
    page.get_by_text("Products needing attention").wait_for()
    wait_idle(page)
    assert page.locator('[data-testid="stDialog"]').count() == 0  # no "page not found"
    assert page.get_by_text("Labels from the shipped model").count() == 1
    # the attention table's first row: click its row marker, and the Products page opens on it
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    grid.click(position={"x": 15, "y": 35 + 17})  # below the 35 px header, in the first row
    page.get_by_role("heading", name="Products", exact=True).wait_for()
    wait_idle(page)
    chosen = page.locator('[data-testid="stMultiSelect"]').first.inner_text()
    assert "Coffee Maker" in chosen, chosen


def test_2_products_draws_every_chart_and_the_table(page) -> None:
    go(page, "Products")
    # distribution, trend, rating heatmap, drivers, confidence: all drawn as SVG with marks in them
    assert wait_for_charts(page, 5) >= 5
    assert page.locator(".js-plotly-plot svg.main-svg g.trace").count() > 10
    caption = page.get_by_text(re.compile(r"Showing [\d,]+ of [\d,]+ reviews")).inner_text()
    shown = int(re.search(r"Showing ([\d,]+)", caption).group(1).replace(",", ""))
    assert shown > 0
    # the review table is a canvas grid; its accessible row count says it has rows
    grids = page.locator('[data-testid="stDataFrame"] [role="grid"]')
    assert int(grids.last.get_attribute("aria-rowcount")) > 1
    # Aspects (issue 16): the opening product is the coffee maker; its leaks lead, quoted
    page.get_by_role("heading", name="Aspects", exact=True).wait_for()
    page.get_by_text("What they say").wait_for()
    assert page.get_by_text("Leaks & spills").count() > 0
    shoot(page, "products")
    picker = page.locator('[data-testid="stButtonGroup"]').filter(has_text="Leaks & spills").last
    picker.get_by_text("Carafe", exact=True).click()
    page.get_by_text("Showing reviews that mention").wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_idle(page)
    assert page.get_by_text(re.compile("carafe", re.IGNORECASE)).count() > 1  # its quotes
    narrowed = page.get_by_text(re.compile(r"Showing [\d,]+ of [\d,]+ reviews")).inner_text()
    assert 0 < total_of(narrowed) < total_of(caption)  # the table holds the carafe's mentions only


def choose_products(page, names: list[str]) -> None:
    """Replace the Products page's selection with `names`, typing each as a user would."""
    box = page.locator('[data-testid="stMultiSelect"]').first
    box.locator("input").click()
    for _ in range(6):  # Backspace removes the last chosen product
        page.keyboard.press("Backspace")
    for name in names:
        box.locator("input").fill(name)
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_idle(page)
    # the previous selection's elements linger (faded) until the new run replaces them, and writing
    # the filter widgets' values can start one more run: wait for one table caption and a comparison
    # table with one row per chosen product
    page.wait_for_function(
        """n => Array.from(document.querySelectorAll('[data-testid="stCaptionContainer"]'))
            .filter(c => /^Showing [\\d,]+ of/.test(c.innerText)).length === 1
            && document.querySelectorAll('[data-testid="stTable"]').length >= 1
            && document.querySelector('[data-testid="stTable"] tbody').querySelectorAll('tr').length === n""",
        arg=len(names),
    )
    wait_idle(page)


def agreement_in(work: Path) -> dict[str, tuple[int, float]]:
    """(rated reviews, agreement of labels and stars) per product in the app's own store, computed with
    the same core function from what the real model stored (not hard-coded: the model may change)."""
    from core.analytics import rating_agreement
    from core.storage.engine import dispose_engines, get_engine
    from core.storage.queries import reviews_frame

    url = f"sqlite:///{work / 'reviews.sqlite'}"
    try:
        table = rating_agreement(reviews_frame(get_engine(url)))
    finally:
        dispose_engines(url)
    return {str(r.product): (int(r.rated), float(r.agreement)) for r in table.itertuples()}


def test_2b_low_agreement_offers_adapting(page, work: Path) -> None:
    from dashboard.product_data import MIN_RATED

    low = [p for p, (rated, share) in agreement_in(work).items() if rated >= MIN_RATED and share < 0.70]
    if not low:
        # The demo sample agrees well enough with its stars under the current model: rated Spanish
        # reviews (which the English model misreads) are the everyday case that needs adapting.
        go(page, "Upload reviews")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            str(FIXTURES / "rated_spanish.csv")
        )
        wait_idle(page)
        page.get_by_role("button", name="Import").click()
        page.get_by_text(re.compile(r"stored 12 new reviews")).wait_for(timeout=LOAD_TIMEOUT_MS)
        wait_idle(page)
        low = [p for p, (rated, share) in agreement_in(work).items() if rated >= MIN_RATED and share < 0.70]
        assert low == ["Cafetera Solara"], agreement_in(work)
    go(page, "Products")
    choose_products(page, [low[0]])
    banner = page.locator('[data-testid="stAlert"]').filter(has_text="fewer than 70 %")
    banner.wait_for()
    assert low[0] in banner.inner_text()
    page.get_by_role("button", name="Adapt the model to these reviews").click()
    page.get_by_role("heading", name="Model", exact=True).wait_for()
    wait_idle(page)
    adapt = page.get_by_role("heading", name="Adapt to your reviews")
    adapt.wait_for()
    chosen = page.locator('[data-testid="stMultiSelect"]').filter(has_text=low[0])
    assert chosen.count() == 1  # the adapt section is set to that product's reviews
    go(page, "Products")


def selected_pills(group) -> list[str]:
    """The names of the pills shown as selected in a pills widget (React Aria toggle buttons)."""
    return group.evaluate(
        """g => Array.from(g.querySelectorAll('button'))
            .filter(b => b.getAttribute('aria-pressed') === 'true' || b.hasAttribute('data-selected'))
            .map(b => b.innerText.trim())"""
    )


def showing_total(page) -> int:
    """The review count the table caption shows, read once a single caption is on the page (a rerun's
    faded elements linger until it ends)."""
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('[data-testid="stCaptionContainer"]'))
            .filter(c => /^Showing [\\d,]+ of/.test(c.innerText)).length === 1"""
    )
    return total_of(page.get_by_text(re.compile(r"Showing [\d,]+ of [\d,]+ reviews")).inner_text())


def test_2c_clear_filters_resets_the_widgets(page) -> None:
    go(page, "Products")
    choose_products(page, ["BrewMaster 12-Cup Coffee Maker"])
    everything = showing_total(page)
    dates = page.locator('[data-testid="stDateInput"] input')
    opening = [dates.nth(0).input_value(), dates.nth(1).input_value()]
    search = page.get_by_label("Search text")
    search.fill("carafe")
    search.press("Enter")
    wait_idle(page)
    sentiment = page.locator('[data-testid="stButtonGroup"]').filter(has_text="Negative").first
    assert selected_pills(sentiment) == ["Negative", "Neutral", "Positive"]  # drawn as they apply
    sentiment.get_by_role("button", name="Negative").click()
    wait_idle(page)
    assert selected_pills(sentiment) == ["Neutral", "Positive"]
    page.get_by_role("button", name="Clear filters").click()
    wait_idle(page)
    # read every widget back: all at their defaults, not only the data
    assert search.input_value() == ""
    assert selected_pills(sentiment) == ["Negative", "Neutral", "Positive"]
    assert [dates.nth(0).input_value(), dates.nth(1).input_value()] == opening
    assert showing_total(page) == everything


def table_cells(page) -> list[str]:
    """The rendered text of every cell of the comparison table (header and body)."""
    table = page.locator('[data-testid="stTable"]').first
    table.wait_for()
    return table.locator("th, td").all_inner_texts()


COMPLETE_CELL = re.compile(r"^(\d{1,3}(,\d{3})*|\d+ %|\d\.\d ★|[+-]\d+\.\d pp|\d+ % of [\d,]+ rated|)$")


@pytest.mark.parametrize("width", [1400, 1000])
def test_2d_four_products_compare_without_truncation(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    go(page, "Products")
    names = [
        "Aurora ANC Headphones", "BrewMaster 12-Cup Coffee Maker", "ShieldCase for Phone 15",
        "Stride Pro Running Shoes",
    ]  # fmt: skip
    choose_products(page, names)
    wait_for_charts(page, 5)
    cells = table_cells(page)
    assert all("…" not in c and "..." not in c for c in cells), cells
    rows = page.locator('[data-testid="stTable"] tbody tr')
    assert rows.count() == 4
    for i in range(4):
        texts = rows.nth(i).locator("td").all_inner_texts()
        assert texts[0] in names
        assert all(COMPLETE_CELL.match(c.strip()) for c in texts[1:]), texts
    # nothing is clipped: every cell's text fits its cell (the table wraps instead)
    clipped = page.evaluate(
        """() => Array.from(document.querySelectorAll(
                '[data-testid="stTable"] td, [data-testid="stTable"] th'))
            .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText)"""
    )
    assert clipped == []
    # ONE overlaid trend whose title is whole and whose legend sits below the plot, not over the title
    trend = page.locator(".js-plotly-plot").filter(has_text="share over time")
    assert trend.count() == 1
    title = trend.locator(".gtitle").bounding_box()
    plot = trend.locator(".main-svg").first.bounding_box()
    legend = trend.locator(".legend").bounding_box()
    assert title["x"] + title["width"] <= plot["x"] + plot["width"]
    assert legend["y"] > title["y"] + title["height"]
    shoot(page, f"products-compare-{width}")
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_3_upload_semicolon_latin1(page, tmp_path: Path) -> None:
    path = tmp_path / "resenas.csv"
    path.write_bytes(LATIN1_CSV.encode("latin-1"))
    go(page, "Upload reviews")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text("delimiter ';'").wait_for()
    wait_idle(page)
    page.get_by_role("button", name="Import").click()
    page.get_by_text(re.compile(r"stored 2 new reviews")).wait_for()
    wait_idle(page)
    stored = page.locator('[data-testid="stMetric"]').filter(has_text="Stored").first.inner_text()
    assert stored.split()[-1] == "2"
    shoot(page, "upload")


def test_4_analyze_pasted_reviews_safely(page) -> None:
    go(page, "Analyze text")
    hostile = "**markdown** <b>bold</b> and it broke, awful"
    links = "Awful, see https://evil.example/login or www.evil.example, mail help@evil.example"
    page.get_by_label("Reviews (one per line)").fill(
        f"I love it, works perfectly and looks great\n{hostile}\n{links}"
    )
    page.get_by_role("button", name="Analyze", exact=True).click()
    page.get_by_text(re.compile(r"^Positive · I love it")).wait_for()
    wait_idle(page)
    body = page.locator('[data-testid="stMain"]')
    # the user's Markdown and HTML are shown as typed, never rendered
    page.get_by_text(re.compile(r"Negative · .*\*\*markdown\*\*")).first.click()
    wait_idle(page)
    assert body.get_by_text("**markdown**", exact=False).count() > 0
    assert body.locator("b", has_text="bold").count() == 0
    assert body.locator("strong", has_text="markdown").count() == 0
    # URLs and e-mail addresses in pasted text stay text: no link in the results or expander labels
    page.get_by_text(re.compile(r"Negative · Awful, see")).first.click()
    wait_idle(page)
    assert body.get_by_text(re.compile(r"see https:.*//evil\.example/login")).count() > 0
    assert body.locator('a[href*="evil"], a[href^="mailto:"]').count() == 0
    shoot(page, "analyze")


def test_5_scrape_the_demo_shop(page, servers: tuple[str, str]) -> None:
    go(page, "Scrape")
    page.get_by_label("Product page URLs (one per line)").fill(f"{servers[1]}/product.html")
    # the setting allows local addresses here, so the checkbox starts ticked
    assert page.get_by_role("checkbox", name="Allow private and local addresses").is_checked()
    page.get_by_role("button", name="Start").click()
    page.get_by_text(re.compile(r"Done: [\d,]+ reviews found")).wait_for(timeout=CRAWL_TIMEOUT_MS)
    wait_idle(page)
    found = page.locator('[data-testid="stMetric"]').filter(has_text="Reviews found").first.inner_text()
    assert int(found.split()[-1].replace(",", "")) > 0
    shoot(page, "scrape")


def test_6_model_card_and_health(page) -> None:
    go(page, "Model")
    page.get_by_role("heading", name="Health").wait_for()
    assert (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text="Database")
        .first.inner_text()
        .endswith("sqlite")
    )
    shoot(page, "model")


def test_7_spanish(page) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').click()
    page.get_by_role("option", name="Español").click()
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Productos").wait_for()
    wait_idle(page)
    assert page.get_by_role("heading", name="Modelo", exact=True).count() == 1
    go(page, "Modelo")
    page.get_by_role("heading", name="Estado").wait_for()
    body = page.locator('[data-testid="stMain"]').inner_text()  # the folded card detail is not shown
    english = ("Good at", "Weak at", "Health", "Last import", "never", "succeeded", "tweets/test", "None",
               "Rated reviews", "Label mapping", "Engineering detail", "Roll back")  # fmt: skip
    assert not [word for word in english if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", body)]
    assert "Se le da bien" in body
    shoot(page, "model-es")
