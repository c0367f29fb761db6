"""`python -m scraping.demo_shop [--port N]`: serve the demo shop on 127.0.0.1 until Ctrl+C."""

from __future__ import annotations

import argparse
import sys
import time

from scraping.demo_shop.site import PRODUCT_PAGES, start_server

# Not a port the dashboard is documented on (8501, Streamlit's default and the image's; 9000 in the
# deploy example), so the shop and the app run side by side; tests/scraping/test_demo_shop.py checks it.
DEFAULT_PORT = 8765


def main(argv: list[str] | None = None) -> int:
    """Start the server and print the URLs to try."""
    parser = argparse.ArgumentParser(prog="python -m scraping.demo_shop", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1 (0 = any free port)"
    )
    args = parser.parse_args(argv)
    try:
        server = start_server(args.port)
    except OSError as exc:
        print(f"Cannot listen on 127.0.0.1:{args.port} ({exc.strerror}); try --port 0.", file=sys.stderr)
        return 1
    base = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"Demo shop running at {base}/  (Ctrl+C to stop)\n\nProduct pages:")
    for path, label in PRODUCT_PAGES.items():
        print(f"  {base}{path:<36} {label}")
    crawl = ".venv/bin/python -m scraping crawl"
    flag = "--allow-private-addresses"
    print(
        "\nTry (in another terminal; the shop is on this machine, hence the flag):\n"
        f"  {crawl} {base}/product.html {flag} --out reviews.jsonl\n"
        f"  {crawl} {base}/plain/cozy-socks.html {flag} --no-store\n"
        f"  {crawl} {base}/admin/ {flag}   # robots.txt says no",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
