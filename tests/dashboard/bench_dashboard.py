"""Benchmark (not a test): the dashboard's two speed targets, measured in a real browser.

    .venv/bin/python -m tests.dashboard.bench_dashboard [--rows 100000]

1. **Upload to charts**: a fresh app, a 100k-row CSV chosen in the Upload page's file picker,
   Import, then the "See the charts in Products" link, until every Plotly chart is drawn.
2. **Filter change**: with those 100k reviews stored (one product, so the Products page holds
   all of them), toggle a sentiment filter and type a search, each until the page has settled
   (the table caption shows the new count and no element is stale).

The CSV is the demo sample's phrase bank scaled up (`dashboard.sample_data.make_sample`), with
an order number appended so every review is distinct. Results print as one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from dashboard.sample_data.make_sample import generate
from tests.dashboard.browser import CHROMIUM, CHROMIUM_ARGS, dashboard, shoot, wait_for_charts, wait_idle

SETTLED_JS = """([old]) => {
    const caption = Array.from(document.querySelectorAll('[data-testid="stCaptionContainer"]'))
        .map(e => e.innerText).find(t => t.startsWith('Showing '));
    return caption !== undefined && caption !== old
        && document.querySelectorAll('[data-stale="true"]').length === 0
        && !document.querySelector('[data-testid="stStatusWidget"]');
}"""


def write_csv(path: Path, rows: int) -> None:
    """`rows` demo-like reviews of one product (no product column: the file name names it)."""
    base = generate()
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["date", "rating", "title", "review", "author"])
        for i in range(rows):
            r = base[i % len(base)]
            writer.writerow([r["date"], r["rating"], r["title"], f"{r['review']} Order {i}.", r["author"]])


def caption(page) -> str:
    return page.get_by_text("Showing ").first.inner_text()


def timed_change(page, action) -> float:
    """Seconds from `action()` until the Products page has re-rendered with a new count."""
    before = caption(page)
    start = time.perf_counter()
    action()
    page.wait_for_function(SETTLED_JS, arg=[before], timeout=120_000, polling=20)
    return time.perf_counter() - start


def main() -> None:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    try:
        print(json.dumps(measure(work, args.rows), indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(work: Path, rows: int) -> dict[str, object]:
    """Write the CSV into `work`, start the app there, and time both targets."""
    from playwright.sync_api import sync_playwright

    csv_path = work / "bench_reviews.csv"
    write_csv(csv_path, rows)
    result: dict[str, object] = {"rows": rows, "csv_mb": round(csv_path.stat().st_size / 1e6, 1)}
    # DEBUG logs carry the Products page's own script time per rerun (`products_render`)
    with dashboard(work, {"SENTIMENT_LOG_LEVEL": "DEBUG"}) as app, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(600_000)
        page.goto(f"{app}/upload")
        page.get_by_role("heading", name="Upload reviews").wait_for()
        wait_idle(page)

        start = time.perf_counter()
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv_path))
        page.get_by_role("button", name="Import").wait_for()
        wait_idle(page, 600_000)
        previewed = time.perf_counter()
        page.get_by_role("button", name="Import").click()
        page.get_by_text("new reviews").first.wait_for()
        wait_idle(page, 600_000)
        imported = time.perf_counter()
        page.get_by_role("link", name="See the charts in Products").click()
        wait_idle(page, 600_000)
        wait_for_charts(page, 5, 600_000)
        charted = time.perf_counter()
        result["upload_to_charts_s"] = round(charted - start, 1)
        result["upload_and_preview_s"] = round(previewed - start, 1)
        result["import_s"] = round(imported - previewed, 1)
        result["products_first_render_s"] = round(charted - imported, 1)
        shoot(page, "bench-products-100k")

        pills = page.locator('[data-testid="stButtonGroup"]').first
        changes = []
        for _ in range(3):
            changes.append(timed_change(page, lambda: pills.get_by_text("Neutral", exact=True).click()))
            changes.append(timed_change(page, lambda: pills.get_by_text("Neutral", exact=True).click()))
        search = page.get_by_label("Search text")
        for word in ("battery", "leak", ""):
            changes.append(timed_change(page, lambda w=word: (search.fill(w), search.press("Enter"))))
        result["filter_change_s"] = {
            "median": round(statistics.median(changes), 2),
            "max": round(max(changes), 2),
            "all": [round(c, 2) for c in changes],
        }
        browser.close()
    result["load_average_1m"] = round(os.getloadavg()[0], 1)  # this machine is shared: say how busy
    # the importer's own log line splits the import into dedupe / score / write seconds, and the
    # Products page's lines give its script time for each filter change (the rest is the browser)
    renders = []
    for line in (work / "streamlit.log").read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{") and '"event": "import"' in line:
            event = json.loads(line)
            result["core_import_s"] = {k: event.get(k) for k in ("seconds", "dedupe", "score", "write")}
        if line.startswith("{") and '"event": "products_render"' in line:
            renders.append(json.loads(line)["seconds"])
    changed = renders[-len(changes) :]  # the last reruns are the filter changes, one each
    result["filter_change_script_s"] = {"median": round(statistics.median(changed), 2), "all": changed}
    return result


if __name__ == "__main__":
    main()
