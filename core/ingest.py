"""`python -m core.ingest`: an alias of :mod:`core.cli.ingest` (import a file, or list products)."""

from core.cli.ingest import main

if __name__ == "__main__":
    raise SystemExit(main())
