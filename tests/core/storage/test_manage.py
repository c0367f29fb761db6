"""Rename, merge and delete products, delete one import (the demo sample too): predictions, rollups
and aspect mentions follow, all in one transaction (issue 17, item 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from core.storage.engine import count_rows
from core.storage.importer import delete_import, import_file
from core.storage.manage import (
    ManageError,
    import_impact,
    merge_products,
    product_impact,
    rename_product,
)
from core.storage.queries import product_names, product_summary, reviews_frame
from core.storage.schema import AspectMention, Review, SiteRating
from tests.core.storage.seed import assert_rollup_consistent

pytestmark = pytest.mark.postgres

SAMPLE_CSV = Path(__file__).resolve().parents[3] / "dashboard" / "sample_data" / "sample_reviews.csv"

SPEAKER = (
    "product,date,rating,review\n"
    "Zephyr Speaker,2026-05-01,5,The battery lasts all week and the sound is loud.\n"
    "Zephyr Speaker,2026-05-02,1,The battery died after two days. Terrible.\n"
    "Zephyr Speaker,2026-05-02,3,Sound is fine but the strap broke.\n"
)
SPEAKER_OLD_NAME = (
    "product,date,rating,review\n"
    # the first review is also in the target (same text and day)
    "Zephyr Spkr (old listing),2026-05-01,5,The battery lasts all week and the sound is loud.\n"
    "Zephyr Spkr (old listing),2026-04-20,4,Great battery and a clear sound for the money.\n"
    "Zephyr Spkr (old listing),,2,The delivery was late and the box was damaged.\n"
)


def load(engine: Engine, predictor: Any, tmp_path: Path, name: str, content: str) -> int:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return import_file(engine, path, predictor=predictor).import_id


def mentions(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AspectMention)).scalar_one())


def test_rename_keeps_reviews_predictions_and_rollup(engine: Engine, predictor: Any, tmp_path: Path) -> None:
    load(engine, predictor, tmp_path, "a.csv", SPEAKER)
    load(engine, predictor, tmp_path, "b.csv", "product,review\nKettle,Boils fast and quietly.\n")
    before = (
        reviews_frame(engine).sort_values("text")[["text", "label", "review_date"]].reset_index(drop=True)
    )
    assert rename_product(engine, "Zephyr Speaker", "  Zephyr   X2 Speaker ") == "Zephyr X2 Speaker"
    assert product_names(engine) == ["Kettle", "Zephyr X2 Speaker"]
    after = reviews_frame(engine).sort_values("text")[["text", "label", "review_date"]].reset_index(drop=True)
    assert after.equals(before)
    assert set(product_summary(engine)["product"]) == {"Kettle", "Zephyr X2 Speaker"}
    assert_rollup_consistent(engine)
    assert (
        rename_product(engine, "Zephyr X2 Speaker", "ZEPHYR X2 SPEAKER") == "ZEPHYR X2 SPEAKER"
    )  # case only
    with pytest.raises(ManageError, match="merge"):
        rename_product(engine, "Kettle", "zephyr x2  speaker")
    with pytest.raises(ManageError, match="empty"):
        rename_product(engine, "Kettle", "   ")
    with pytest.raises(ManageError, match="no product"):
        rename_product(engine, "Toaster", "Oven")
    assert product_names(engine) == ["Kettle", "ZEPHYR X2 SPEAKER"]


def test_merge_moves_reviews_drops_repeats_and_keeps_rollup(
    engine: Engine, predictor: Any, tmp_path: Path
) -> None:
    load(engine, predictor, tmp_path, "a.csv", SPEAKER)
    load(engine, predictor, tmp_path, "b.csv", SPEAKER_OLD_NAME)
    with engine.begin() as conn:
        source_id = conn.execute(select(Review.product_id).where(Review.text.like("%damaged%"))).scalar_one()
        conn.execute(
            SiteRating.__table__.insert().values(
                product_id=source_id, source_url="https://shop.example/z", value=4.1
            )
        )
    mentions_before = mentions(engine)
    assert mentions_before > 0
    assert product_impact(engine, "Zephyr Spkr (old listing)") == 3

    result = merge_products(engine, ["Zephyr Spkr (old listing)"], "Zephyr Speaker")
    assert (result.moved, result.duplicates) == (2, 1)
    assert product_names(engine) == ["Zephyr Speaker"]
    assert count_rows(engine) == {
        "products": 1,
        "reviews": 5,
        "predictions": 5,
        "imports": 2,
        "site_ratings": 1,
    }
    summary = product_summary(engine).set_index("product")
    assert summary.loc["Zephyr Speaker", "reviews"] == 5
    assert_rollup_consistent(engine)
    with engine.connect() as conn:  # the dropped repeat's mentions went with it, the moved ones stayed
        orphans = conn.execute(
            select(func.count())
            .select_from(AspectMention)
            .where(~AspectMention.review_id.in_(select(Review.id)))
        ).scalar_one()
    assert orphans == 0 and 0 < mentions(engine) < mentions_before
    with pytest.raises(ManageError, match="at least one"):
        merge_products(engine, ["Zephyr Speaker"], "Zephyr Speaker")
    with pytest.raises(ManageError, match="no product"):
        merge_products(engine, ["Nope"], "Zephyr Speaker")


def test_a_failed_merge_changes_nothing(engine: Engine, predictor: Any, tmp_path: Path) -> None:
    load(engine, predictor, tmp_path, "a.csv", SPEAKER)
    load(engine, predictor, tmp_path, "b.csv", SPEAKER_OLD_NAME)
    before = reviews_frame(engine).sort_values("text").reset_index(drop=True)
    with pytest.raises(
        ManageError, match="no product"
    ):  # the second source is missing: the first is not merged
        merge_products(engine, ["Zephyr Spkr (old listing)", "Nope"], "Zephyr Speaker")
    assert reviews_frame(engine).sort_values("text").reset_index(drop=True).equals(before)
    assert_rollup_consistent(engine)


@pytest.mark.skipif(not SAMPLE_CSV.is_file(), reason="the demo sample is not in this checkout")
def test_delete_the_demo_sample_import(engine: Engine, predictor: Any, tmp_path: Path) -> None:
    own = load(engine, predictor, tmp_path, "a.csv", SPEAKER)
    sample = import_file(engine, SAMPLE_CSV, predictor=predictor)
    reviews, products = import_impact(engine, sample.import_id)
    assert reviews == sample.stored > 100 and products == sorted(sample.products)
    assert delete_import(engine, sample.import_id) == sample.stored
    assert product_names(engine) == ["Zephyr Speaker"]
    assert import_impact(engine, own)[0] == 3 and count_rows(engine)["reviews"] == 3
    assert_rollup_consistent(engine)
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count())
                .select_from(AspectMention)
                .where(~AspectMention.review_id.in_(select(Review.id)))
            ).scalar_one()
            == 0
        )
