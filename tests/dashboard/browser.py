"""Helpers for driving the real app in Chromium: start `streamlit run` and the demo shop on free
ports, launch Debian's Chromium through Playwright, and wait for Streamlit to settle.

Used by `test_browser.py` and by the benchmark `python -m tests.dashboard.bench_dashboard`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
START_TIMEOUT_S = 90


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} server exited with {process.returncode}: {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s: {log.read_text()[-2000:]}")


@contextlib.contextmanager
def serve(command: list[str], health_url: str, env: dict[str, str], log: Path) -> Iterator[None]:
    """Run `command` until the block ends; ready once `health_url` answers 200."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_http(health_url, process, START_TIMEOUT_S, log)
        yield
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextlib.contextmanager
def demo_shop(workdir: Path) -> Iterator[str]:
    """`python -m scraping.demo_shop` on a free port; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "scraping.demo_shop", "--port", str(port)]
    with serve(command, f"{base}/robots.txt", dict(os.environ), workdir / "demo_shop.log"):
        yield base


@contextlib.contextmanager
def dashboard(data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run dashboard/app.py` on a free port with its own data folder; yields its URL."""
    port = free_port()
    env = dict(os.environ)
    env.pop("SENTIMENT_DB_URL", None)
    env.update(
        {
            "SENTIMENT_DATA_DIR": str(data_dir),
            "SENTIMENT_REGISTRY_DIR": str(data_dir / "model_registry"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
            **(extra_env or {}),
        }
    )
    command = [
        sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with serve(command, f"{base}/_stcore/health", env, data_dir / "streamlit.log"):
        yield base


def wait_idle(page, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit has finished the current script run (the "Running…" widget is gone)."""
    page.wait_for_timeout(300)  # let a rerun triggered by the last action begin
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=timeout_ms)


def shoot(page, name: str, max_height: int = 6000) -> Path:
    """Screenshot of the whole page to artifacts/screenshots/<name>.png.

    Streamlit scrolls inside its main container, not the document, so Playwright's `full_page`
    sees one screen: the viewport is stretched to the content's height for the shot instead.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate(
        """() => {
            const block = document.querySelector('[data-testid="stMainBlockContainer"]');
            return block ? block.scrollHeight + 80 : document.body.scrollHeight;
        }"""
    )
    page.set_viewport_size(
        {"width": size["width"], "height": min(max(int(height), size["height"]), max_height)}
    )
    page.wait_for_timeout(700)  # Plotly re-lays out to the new size
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


def wait_for_charts(page, count: int, timeout_ms: int = 60_000) -> int:
    """Wait until `count` Plotly charts have drawn their SVG; returns how many there are.

    The page is scrolled to the bottom first, in case charts below the fold render lazily.
    """
    page.evaluate(
        """() => document.querySelectorAll('[data-testid="stMain"], section').forEach(
            e => e.scrollTo(0, e.scrollHeight))"""
    )
    page.wait_for_function(
        """(n) => Array.from(document.querySelectorAll('.js-plotly-plot'))
            .filter(p => p.querySelector('svg.main-svg')).length >= n""",
        arg=count,
        timeout=timeout_ms,
    )
    return page.locator(".js-plotly-plot").count()
