"""A product page's own average rating (schema.org `aggregateRating`): parsed, and stored per scrape.

Analysts compare the stars a shop shows with what the reviews' text says; a 4.6-star page whose
recent reviews read negative is worth a look. The scraper extracts the markup's strings
(`scraping.extract`), :func:`parse_site_rating` turns them into numbers, and :func:`record_site_ratings`
stores one observation per product and scrape. :func:`core.storage.queries.latest_site_ratings` reads them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from core.storage.engine import write_transaction
from core.storage.schema import Product, SiteRating, utcnow

_NUMBER_RE = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class SiteRatingValue:
    """One page's average rating on its own scale."""

    value: float
    best: float = 5.0  # schema.org's defaults when the page does not say
    worst: float = 1.0
    ratings: int | None = None
    reviews: int | None = None

    @property
    def stars(self) -> float:
        """The value on a 1-5 scale, comparable with the reviews' star ratings."""
        return to_stars(self.value, self.best, self.worst)


def to_stars(value: Any, best: Any, worst: Any) -> Any:
    """A rating on its page's scale as stars from 1 to 5 (numbers, arrays or pandas Series)."""
    return 1.0 + 4.0 * (value - worst) / (best - worst)


def _number(text: str | None) -> float | None:
    """The first number in `text` ("4,3", "4.3 out of 5", "1,234"); None if there is none."""
    if text is None:
        return None
    match = _NUMBER_RE.search(text.replace("\u00a0", ""))
    if match is None:
        return None
    raw = match.group(0)
    # "1,234" is a thousands separator; "4,3" is a decimal comma
    raw = raw.replace(",", "") if re.fullmatch(r"[-+]?\d{1,3},\d{3}", raw) else raw.replace(",", ".")
    value = float(raw)
    return value if math.isfinite(value) else None


def parse_site_rating(raw: Mapping[str, str] | None) -> SiteRatingValue | None:
    """Numbers from the strings `scraping.extract` keeps (keys value, best, worst, count, reviews).

    None when there is no usable average: no value, a scale that is not a range, or a value outside
    the scale (markup errors are common; a wrong number is worse than none).
    """
    if not raw:
        return None
    value = _number(raw.get("value"))
    best = _number(raw.get("best"))
    worst = _number(raw.get("worst"))
    best = 5.0 if best is None else best
    worst = (0.0 if best <= 1.0 else 1.0) if worst is None else worst  # a 0-1 scale starts at 0
    if value is None or not worst < best or not worst <= value <= best:
        return None
    counts = [_number(raw.get(key)) for key in ("count", "reviews")]
    ratings, reviews = (int(c) if c is not None and c >= 0 else None for c in counts)
    return SiteRatingValue(value, best, worst, ratings, reviews)


def record_site_ratings(
    engine: Engine, ratings: Sequence[tuple[str, str, SiteRatingValue]], import_id: int | None
) -> int:
    """Store `(product name, page URL, rating)` observations in one transaction; products that are
    not in the store (none of their reviews was kept) are skipped. Returns the rows stored."""
    if not ratings:
        return 0
    now = utcnow()
    with write_transaction(engine) as conn:
        names = sorted({name for name, _, _ in ratings})
        ids = dict(
            conn.execute(select(Product.name, Product.id).where(Product.name.in_(names))).tuples().all()
        )
        rows = [
            {
                "product_id": ids[name],
                "import_id": import_id,
                "source_url": url,
                "value": rating.value,
                "best": rating.best,
                "worst": rating.worst,
                "ratings": rating.ratings,
                "reviews": rating.reviews,
                "observed_at": now,
            }
            for name, url, rating in ratings
            if name in ids
        ]
        if rows:
            conn.execute(SiteRating.__table__.insert(), rows)
    return len(rows)
