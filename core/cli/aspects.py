"""`python -m core.aspects`: what a product's reviews talk about, one JSON object per aspect.

Reads the store named by ``SENTIMENT_DB_URL`` (default: the local SQLite store). Reviews stored before
aspects existed get theirs computed first (once, with the model that scored them). Most mentioned
aspect first; a failure prints one line to stderr and exits 1.

    python -m core.aspects --product "BrewMaster 12-Cup Coffee Maker"
    {"aspect": "Coffee", "mentions": 176, "negative_share": 0.3, "neutral_share": 0.08,
     "positive_share": 0.62, "quotes": ["...", "...", "..."]}
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (separate so tests and docs can inspect it)."""
    parser = argparse.ArgumentParser(
        prog="python -m core.aspects",
        description="Print a product's aspects (what its reviews talk about) as JSON lines, most "
        "mentioned first.",
    )
    parser.add_argument("--product", required=True, help="the product's name, as stored")
    parser.add_argument("--model-version", help="judge by this model version (default: each review's latest)")
    parser.add_argument(
        "--quotes", type=int, default=3, help="sentences quoted per aspect (default: %(default)s)"
    )
    return parser


def aspect_lines(
    product: str, model_version: str | None = None, n_quotes: int = 3
) -> list[dict[str, object]]:
    """The objects the command prints, most mentioned aspect first.

    :raises LookupError: no product of that name is stored.
    """
    from core.aspect_report import apply_rules, aspect_table, quotes, rules_from
    from core.storage.aspect_scoring import backfill
    from core.storage.aspects import aspect_rules, mentions_frame
    from core.storage.engine import get_engine
    from core.storage.queries import product_names, reviews_frame

    engine = get_engine()
    if product not in product_names(engine):
        raise LookupError(
            f"There is no product named {product!r}; `python -m core.ingest --list` lists them."
        )
    backfill(engine, [product])
    reviews = reviews_frame(engine, [product], model_version=model_version)
    mentions = mentions_frame(engine, [product], model_version)
    rules = rules_from(aspect_rules(engine))
    table = aspect_table(mentions, len(reviews), rules).sort_values(
        ["mentions", "impact"], ascending=False, kind="stable"
    )
    texts = dict(zip(reviews["review_id"].astype(int), reviews["text"], strict=True))
    ruled = apply_rules(mentions, rules)
    return [
        {
            "aspect": row.name,
            "mentions": int(row.mentions),
            "negative_share": round(float(row.negative), 4),
            "neutral_share": round(float(row.neutral), 4),
            "positive_share": round(float(row.positive), 4),
            "quotes": [q["text"] for q in quotes(ruled, texts, row.aspect, n=n_quotes)],
        }
        for row in table.itertuples(index=False)
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; 0 on success, 1 with one line on stderr on failure."""
    args = build_parser().parse_args(argv)
    try:
        lines = aspect_lines(args.product, args.model_version, max(0, args.quotes))
    except (LookupError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))
    return 0
