"""A local fixture site for the crawl tests, and a helper that runs the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.settings import REPO_ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROBOTS = "User-agent: *\nDisallow: /private/\n"
SLOW_SECONDS = 4.0
HUGE_BYTES = 11 * 1024 * 1024  # just over the crawler's 10 MiB DOWNLOAD_MAXSIZE


class FixtureSite:
    """Routes of the test site; counts hits per path (for the 500-then-success page)."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()

    def respond(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for `path`."""
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            hits = self.hits[path]
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, ROBOTS.encode()
        if path.startswith("/flaky/"):
            if hits == 1:
                return 500, html, b"<h1>Internal error</h1>"
            return 200, html, (FIXTURES / "jsonld.html").read_bytes().replace(b"Acme Kettle", b"Flaky Kettle")
        if path == "/loop-a.html":
            return 302, {"Location": "/loop-b.html"}, b""
        if path == "/loop-b.html":
            return 302, {"Location": "/loop-a.html"}, b""
        if path == "/to-metadata.html":
            return 302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""
        if path == "/to-file.html":
            return 302, {"Location": "file:///etc/passwd"}, b""
        if path == "/to-ftp.html":
            return 301, {"Location": "ftp://127.0.0.1/reviews.html"}, b""
        if path == "/slow.html":
            time.sleep(SLOW_SECONDS)
            return 200, html, (FIXTURES / "jsonld.html").read_bytes()
        if path.startswith("/private/"):
            return 200, html, (FIXTURES / "jsonld.html").read_bytes()
        name = path.lstrip("/")
        if "/" not in name and (FIXTURES / name).is_file() and name.endswith(".html"):
            return 200, html, (FIXTURES / name).read_bytes()
        return 404, html, b"<h1>Not found</h1>"


@dataclass
class Served:
    """A running fixture site."""

    base: str
    site: FixtureSite

    def url(self, path: str) -> str:
        """Absolute URL of `path` on the site."""
        return self.base + path


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """The fixture site on a free port of 127.0.0.1, for the module's tests."""
    site = FixtureSite()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/huge-chunked.html":
                site.respond(self.path)  # count the hit
                self.send_chunked(HUGE_BYTES)
                return
            status, headers, body = site.respond(self.path)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def send_chunked(self, size: int) -> None:
            """An HTML page of `size` bytes in chunked transfer encoding (no Content-Length)."""
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n"
            self.wfile.write(head + b"Connection: close\r\n\r\n")
            chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>"
            try:
                for _ in range(size // len(chunk) + 1):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the crawler hung up once the page passed its size limit
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}", site)
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class CrawlResult:
    """What one `python -m scraping crawl` subprocess did."""

    returncode: int
    stdout: str
    stderr: str
    reviews: list[dict[str, object]]
    status: dict[str, object]


def run_cli(
    args: list[str],
    tmp_path: Path,
    db_url: str | None = None,
    timeout: float = 60,
    status_file: Path | None = None,
    env_extra: dict[str, str] | None = None,
) -> CrawlResult:
    """Run the real CLI (`python -m scraping crawl ARGS --out ... --status-file ...`); collect its output."""
    out = tmp_path / f"out-{time.monotonic_ns()}.jsonl"
    status_file = status_file or tmp_path / f"status-{time.monotonic_ns()}.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["SENTIMENT_DB_URL"] = db_url or f"sqlite:///{tmp_path / 'unused.sqlite'}"
    env.pop("SENTIMENT_SCRAPE_ALLOW_PRIVATE", None)
    env["SENTIMENT_SCRAPE_DELAY_S"] = "0"  # politeness delay off for our own fixture server
    env.update(env_extra or {})
    command = [
        sys.executable,
        "-m",
        "scraping",
        "crawl",
        *args,
        "--out",
        str(out),
        "--status-file",
        str(status_file),
    ]
    proc = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    reviews = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    status = json.loads(status_file.read_text()) if status_file.is_file() else {}
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr, reviews, status)
