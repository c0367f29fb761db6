"""`python -m core.ingest`: import and score a file, or list the stored products.

A thin wrapper: reading and cleaning is `core.ingestion`, storing and scoring `core.storage.importer`,
listing `core.storage.queries.product_summary`. Any failure prints one line to stderr and exits 1.

    python -m core.ingest reviews.csv --product "Acme Blender"
    python -m core.ingest export.xlsx --text-column Comentario --rating-column Estrellas --dayfirst
    python -m core.ingest --list
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from core.ingestion.mapping import ColumnMapping, infer_mapping, resolve_column
from core.ingestion.tables import IngestError, read_table

_COLUMN_OPTIONS = ("text", "product", "date", "rating", "author", "title")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (separate so tests and docs can inspect it)."""
    parser = argparse.ArgumentParser(
        prog="python -m core.ingest",
        description="Import a CSV or xlsx file of reviews, score it and store it; or list products.",
    )
    parser.add_argument("file", nargs="?", type=Path, help="CSV or xlsx file to import")
    parser.add_argument("--list", action="store_true", help="list stored products with counts and shares")
    parser.add_argument(
        "--product", default="Unassigned", help="product for rows without one (default: %(default)s)"
    )
    for role in _COLUMN_OPTIONS:
        parser.add_argument(
            f"--{role}-column",
            metavar="NAME",
            help=f"column with the {role} (default: inferred from headers)",
        )
    parser.add_argument(
        "--dayfirst",
        action="store_true",
        help="read nn/nn/yyyy dates as day/month when the file does not tell",
    )
    return parser


def _mapping(path: Path, args: argparse.Namespace) -> ColumnMapping | None:
    """The inferred mapping with the user's column choices on top; None when there are none."""
    chosen = {role: getattr(args, f"{role}_column") for role in _COLUMN_OPTIONS}
    if not any(chosen.values()):
        return None  # the importer infers the mapping itself; no need to parse twice
    table = read_table(path)
    mapping = infer_mapping(table)
    overrides = {role: resolve_column(table, column) for role, column in chosen.items() if column}
    # A column the user assigned to one field is taken away from the field it was inferred for.
    for role in _COLUMN_OPTIONS:
        if role not in overrides and getattr(mapping, role) in overrides.values():
            setattr(mapping, role, None)
    for role, column in overrides.items():
        setattr(mapping, role, column)
    return mapping


def _import(args: argparse.Namespace) -> str:
    from core.storage.engine import get_engine
    from core.storage.importer import import_file

    # The path, not its bytes: the size limit is checked (stat) before anything is read.
    path: Path = args.file
    summary = import_file(
        get_engine(),
        path,
        path.name,
        mapping=_mapping(path, args),
        default_product=args.product,
        dayfirst=args.dayfirst,
    )
    return summary.line()


def _list() -> str:
    from core.storage.engine import open_store
    from core.storage.queries import product_summary

    frame = product_summary(open_store())
    if frame.empty:
        return "No products stored yet; import a file with: python -m core.ingest FILE"
    width = max(len("product"), *(len(str(p)) for p in frame["product"]))
    lines = [f"{'product':<{width}}  {'reviews':>8}  {'negative':>8}  {'neutral':>8}  {'positive':>8}"]
    for row in frame.itertuples(index=False):
        shares = [getattr(row, label) for label in ("negative", "neutral", "positive")]
        cells = ["" if share != share or share is None else f"{share:.0%}" for share in shares]
        lines.append(f"{row.product!s:<{width}}  {row.reviews:>8,}  " + "  ".join(f"{c:>8}" for c in cells))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 failed, 2 bad arguments, 130/143 stopped by
    SIGINT/SIGTERM)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list == (args.file is not None):
        parser.error("give either a FILE to import or --list")
    from core.storage.cancel import Cancelled, cancel_on_signals, received_signal

    def cancelled(signum: int) -> int:
        name = signal.Signals(signum).name
        _fail(f"Cancelled ({name}): nothing was stored." if args.file else "Cancelled.")
        return 128 + signum

    try:
        with cancel_on_signals():
            print(_list() if args.list else _import(args))
    except Cancelled as exc:
        return cancelled(exc.signum)
    except Exception as exc:
        signum = received_signal()
        if signum is not None:  # the stop landed inside a driver call, which failed its own way
            return cancelled(signum)
        return _failure(exc)
    return 0


def _failure(exc: Exception) -> int:
    """One line for an import or listing that failed (not a traceback); unexpected errors re-raise."""
    from core.storage.engine import StoreMissing
    from core.storage.transactions import StoreBusy

    if isinstance(exc, IngestError | StoreBusy | StoreMissing):
        return _fail(str(exc))
    if isinstance(exc, OSError):  # missing file, a directory, no permission, no model files
        if exc.filename:
            return _fail(f"Cannot open {exc.filename}: {exc.strerror or exc}.")
        return _fail(_sentence(str(exc)))
    if type(exc).__module__.startswith(("sqlalchemy", "psycopg", "sqlite3")):  # database errors
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return _fail(f"Database error ({type(exc).__name__}): {detail}")
    raise exc


def _sentence(text: str) -> str:
    """ "model directory x has no y" → "Model directory x has no y." """
    text = text.strip() or "Unknown error"
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
