"""Products and imports an analyst manages: rename, merge and delete products, delete one import.

Each change is one write transaction: the reviews, their predictions, their aspect mentions (which
follow their review: same row, or ``ON DELETE CASCADE``), the site ratings and the
``daily_sentiment`` rollup (by deltas, :mod:`core.storage.rollups`) change together or not at all.
Deleting an import or a product is :func:`core.storage.importer.delete_import` /
:func:`~core.storage.importer.delete_product`; :func:`import_impact` and :func:`product_impact` say
beforehand what a change would touch, for the confirmation step.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, func, select, update

from core.logs import log_event
from core.storage import rollups
from core.storage.engine import write_transaction
from core.storage.schema import DailySentiment, PredictionRow, Product, Review, SiteRating, product_key

NAME_MAX = 200  # as ingestion caps product names


class ManageError(ValueError):
    """A change that cannot be made (no such product, a name taken, nothing to merge); the message
    says which and what to do instead."""


@dataclass(frozen=True)
class MergeResult:
    """What a merge did: reviews moved to the target, and reviews dropped as already there."""

    moved: int
    duplicates: int


def clean_name(name: str) -> str:
    """A product name as stored: surrounding and repeated spaces removed, at most NAME_MAX characters."""
    return " ".join(name.split())[:NAME_MAX]


def _product_id(conn: Connection, name: str) -> int:
    product_id = conn.execute(select(Product.id).where(Product.name == name)).scalar_one_or_none()
    if product_id is None:
        raise ManageError(f"There is no product named {name!r}.")
    return int(product_id)


def product_impact(engine: Engine, name: str) -> int:
    """The number of reviews stored for product `name` (0 when there is no such product)."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count(Review.id))
                .join(Product, Product.id == Review.product_id)
                .where(Product.name == name)
            ).scalar_one()
        )


def import_impact(engine: Engine, import_id: int) -> tuple[int, list[str]]:
    """The reviews an import stored that are still there, and the products they belong to."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Product.name, func.count(Review.id))
            .join(Product, Product.id == Review.product_id)
            .where(Review.import_id == import_id)
            .group_by(Product.name)
            .order_by(Product.name)
        ).all()
    return sum(int(n) for _, n in rows), [name for name, _ in rows]


def rename_product(engine: Engine, old: str, new: str) -> str:
    """Rename product `old` to `new` (cleaned); a change of case or spacing only is allowed.

    :return: the name stored.
    :raises ManageError: no product `old`, an empty name, or another product already has the name
        (ignoring case and spaces): merge them instead.
    """
    name = clean_name(new)
    if not name:
        raise ManageError("The new name is empty.")
    with write_transaction(engine) as conn:
        product_id = _product_id(conn, old)
        for other in conn.execute(select(Product.name).where(Product.id != product_id)).scalars():
            if product_key(other) == product_key(name):
                raise ManageError(f"A product named {other!r} already exists: merge the two instead.")
        conn.execute(update(Product).where(Product.id == product_id).values(name=name))
    log_event("rename_product", product=old, name=name)
    return name


def merge_products(engine: Engine, sources: list[str], target: str) -> MergeResult:
    """Move the reviews of each product in `sources` to `target`, then delete the emptied sources.

    A source review that the target already has (same :func:`core.storage.schema.content_hash`) is
    a duplicate: it is deleted with its predictions rather than stored twice. Site ratings move too.

    :raises ManageError: no source other than the target, or a product that does not exist.
    """
    names = [name for name in dict.fromkeys(sources) if name != target]
    if not names:
        raise ManageError("Choose at least one product to merge into another.")
    moved = duplicates = 0
    with write_transaction(engine) as conn:
        target_id = _product_id(conn, target)
        for name in names:
            source_id = _product_id(conn, name)
            source = Review.product_id == source_id
            rollups.apply(conn, [rollups.deltas_of(rollups.latest_rows(conn, source), sign=-1)])
            repeated = select(Review.id).where(
                source,
                Review.content_hash.in_(select(Review.content_hash).where(Review.product_id == target_id)),
            )
            conn.execute(delete(PredictionRow).where(PredictionRow.review_id.in_(repeated)))
            duplicates += conn.execute(delete(Review).where(Review.id.in_(repeated))).rowcount
            kept = rollups.latest_rows(conn, source)
            kept["product_id"] = target_id
            rollups.apply(conn, [rollups.deltas_of(kept)])
            moved += conn.execute(update(Review).where(source).values(product_id=target_id)).rowcount
            conn.execute(
                update(SiteRating).where(SiteRating.product_id == source_id).values(product_id=target_id)
            )
            conn.execute(delete(DailySentiment).where(DailySentiment.product_id == source_id))
            conn.execute(delete(Product).where(Product.id == source_id))
    log_event("merge_products", products=names, target=target, moved=moved, duplicates=duplicates)
    return MergeResult(moved=moved, duplicates=duplicates)
