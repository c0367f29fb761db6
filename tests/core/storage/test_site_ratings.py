"""A product page's own average rating: parsing the markup's strings, storing and reading it back."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update

from core.storage.engine import write_transaction
from core.storage.queries import latest_site_ratings
from core.storage.schema import Product, SiteRating
from core.storage.site_ratings import SiteRatingValue, parse_site_rating, record_site_ratings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"value": "4.3", "count": "1,234"}, SiteRatingValue(4.3, 5.0, 1.0, 1234, None)),
        ({"value": "4,3", "best": "5", "reviews": "87"}, SiteRatingValue(4.3, 5.0, 1.0, None, 87)),
        ({"value": "8.6 out of 10", "best": "10", "worst": "0"}, SiteRatingValue(8.6, 10.0, 0.0)),
        ({"value": "0.9", "best": "1"}, SiteRatingValue(0.9, 1.0, 0.0)),  # a 0-1 scale starts at 0
        ({"value": "6", "best": "5"}, None),  # outside its own scale: a markup error, not a rating
        ({"value": "n/a"}, None),
        ({"count": "12"}, None),
        ({"value": "3", "best": "3", "worst": "3"}, None),
        (None, None),
    ],
)
def test_parse_site_rating(raw: dict[str, str] | None, expected: SiteRatingValue | None) -> None:
    assert parse_site_rating(raw) == expected


def test_stars_put_every_scale_on_one_to_five() -> None:
    assert SiteRatingValue(4.3).stars == pytest.approx(4.3)
    assert SiteRatingValue(10, best=10, worst=0).stars == 5.0
    assert SiteRatingValue(0.5, best=1, worst=0).stars == 3.0


def test_latest_rating_per_product_is_read_back(engine) -> None:
    with write_transaction(engine) as conn:
        conn.execute(Product.__table__.insert(), [{"name": "Kettle"}, {"name": "Toaster"}])
    ratings = [("Kettle", "https://shop.example/k", SiteRatingValue(4.0, ratings=10))]
    assert record_site_ratings(engine, ratings, None) == 1
    with write_transaction(engine) as conn:  # make the first observation an older one
        conn.execute(update(SiteRating).values(observed_at=datetime(2020, 1, 1)))
    newer = [
        ("Kettle", "https://shop.example/k", SiteRatingValue(3.5, ratings=12)),
        ("Toaster", "https://shop.example/t", SiteRatingValue(9.0, best=10, worst=0)),
        ("Not stored", "https://shop.example/x", SiteRatingValue(5.0)),  # no such product: skipped
    ]
    assert record_site_ratings(engine, newer, None) == 2
    frame = latest_site_ratings(engine).set_index("product")
    assert sorted(frame.index) == ["Kettle", "Toaster"]
    assert (frame.loc["Kettle", "value"], frame.loc["Kettle", "ratings"]) == (3.5, 12)
    assert frame.loc["Toaster", "stars"] == pytest.approx(4.6)
    assert latest_site_ratings(engine, ["Toaster"])["product"].tolist() == ["Toaster"]
    assert latest_site_ratings(engine, []).empty


def test_deleting_the_product_or_the_scrape_takes_its_site_ratings(engine) -> None:
    from core.storage.importer import delete_import, delete_product, start_run

    with write_transaction(engine) as conn:
        conn.execute(Product.__table__.insert(), [{"name": "Kettle"}, {"name": "Toaster"}])
    run = start_run(engine, "scrape", "https://shop.example")
    record_site_ratings(engine, [("Kettle", "https://shop.example/k", SiteRatingValue(4.0))], run)
    record_site_ratings(engine, [("Toaster", "https://shop.example/t", SiteRatingValue(3.0))], None)
    delete_import(engine, run)
    assert latest_site_ratings(engine)["product"].tolist() == ["Toaster"]
    delete_product(engine, "Toaster")
    assert latest_site_ratings(engine).empty
