"""`python -m core.aspects`: an alias of :mod:`core.cli.aspects` (a product's aspects as JSON lines)."""

from core.cli.aspects import main

if __name__ == "__main__":
    raise SystemExit(main())
