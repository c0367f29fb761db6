"""The item the reviews spider yields and the pipelines refine."""

from __future__ import annotations

from dataclasses import dataclass

# The fields written to `--out FILE.jsonl`, in this order (the CLI's documented output).
EXPORT_FIELDS = (
    "product",
    "product_url",
    "source_url",
    "title",
    "text",
    "rating",
    "best_rating",
    "worst_rating",
    "date",
    "author",
)


@dataclass
class ReviewItem:
    """One scraped review.

    The spider fills the raw strings found on the page; the pipelines then clean the strings,
    parse `rating` / `best_rating` / `worst_rating` into numbers (keeping `rating_raw`), add the
    0-1 `rating_normalized`, and turn `date` into an ISO 8601 string.
    """

    text: str | None
    source_url: str
    product: str | None = None
    product_url: str | None = None
    title: str | None = None
    rating: str | float | None = None
    best_rating: str | float | None = None
    worst_rating: str | float | None = None
    date: str | None = None
    author: str | None = None
    sku: str | None = None
    gtin: str | None = None
    aggregate_rating: dict[str, str] | None = None
    syntax: str = "json-ld"  # where it was found: json-ld | microdata | rdfa | profile
    rating_raw: str | None = None
    rating_normalized: float | None = None
