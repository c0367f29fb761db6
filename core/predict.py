"""`python -m core.predict`: an alias of :mod:`core.cli.predict` (score texts or a CSV column)."""

from core.cli.predict import main

if __name__ == "__main__":
    raise SystemExit(main())
