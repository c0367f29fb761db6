"""Which rows are the same product and the same review on import (issue 17, items 10 and 12), and the
version 4 upgrade that re-keys stored reviews."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select, text

from core.storage.engine import dispose_engines, ensure_schema, get_engine, schema_version
from core.storage.importer import ALREADY_STORED, REPEAT_IN_ROWS, import_file
from core.storage.queries import reviews_frame
from core.storage.schema import SCHEMA_VERSION, AppSetting, Product, Review, content_hash
from tests.core.storage.seed import assert_rollup_consistent

pytestmark = pytest.mark.postgres

SPEAKER_CSV = (
    "product,date,rating,review\n"
    "Zephyr X2 Bluetooth Speaker,2026-05-01,5,Loud and clear sound for the price.\n"
    "zephyr x2  bluetooth speaker ,2026-05-02,2,The battery died after a week.\n"
    "  ZEPHYR X2 Bluetooth Speaker,2026-05-03,4,Pairs quickly with my phone.\n"
)


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def product_names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(Product.name).order_by(Product.id)).scalars())


def test_product_names_match_ignoring_case_and_spaces(engine: Engine, predictor: Any, tmp_path: Path) -> None:
    summary = import_file(engine, write(tmp_path, "speakers.csv", SPEAKER_CSV), predictor=predictor)
    assert summary.stored == 3
    assert product_names(engine) == ["Zephyr X2 Bluetooth Speaker"]  # the first spelling seen is kept
    assert summary.merged_products == {
        "zephyr x2 bluetooth speaker": "Zephyr X2 Bluetooth Speaker",
        "ZEPHYR X2 Bluetooth Speaker": "Zephyr X2 Bluetooth Speaker",
    }
    assert "'zephyr x2 bluetooth speaker' → 'Zephyr X2 Bluetooth Speaker'" in summary.line()

    # a later import in other spelling joins the stored product, whatever its own first spelling
    later = "product,review\nZEPHYR x2 BLUETOOTH SPEAKER,Bass is weak but the mids are fine.\n"
    again = import_file(engine, write(tmp_path, "later.csv", later), predictor=predictor)
    assert again.stored == 1 and again.products == ["Zephyr X2 Bluetooth Speaker"]
    assert again.merged_products == {"ZEPHYR x2 BLUETOOTH SPEAKER": "Zephyr X2 Bluetooth Speaker"}
    assert product_names(engine) == ["Zephyr X2 Bluetooth Speaker"]
    assert_rollup_consistent(engine)

    plain = import_file(
        engine, write(tmp_path, "other.csv", "product,review\nKettle,Boils fast.\n"), predictor=predictor
    )
    assert plain.merged_products == {} and "merged" not in plain.line()


DUPLICATES_CSV = (
    "product,date,review\n"
    "Kettle,2026-05-01,Great!\n"  # row 2
    "Kettle,2026-05-02,Great!\n"  # row 3: another day, another (anonymous) customer: kept
    "Kettle,2026-05-01 18:30,great!\n"  # row 4: same text, same product, same day: duplicate
    "Kettle,,Great!\n"  # row 5: without a date: kept (no other undated one yet)
    "Kettle,,GREAT!\n"  # row 6: both without a date: duplicate
    "Toaster,2026-05-01,Great!\n"  # row 7: other product: kept
)


def test_duplicates_include_the_review_date(engine: Engine, predictor: Any, tmp_path: Path) -> None:
    summary = import_file(engine, write(tmp_path, "great.csv", DUPLICATES_CSV), predictor=predictor)
    assert (summary.rows_read, summary.stored, summary.duplicates) == (6, 4, 2)
    assert [(s.row.row_number, s.reason) for s in summary.skipped] == [
        (4, REPEAT_IN_ROWS),
        (6, REPEAT_IN_ROWS),
    ]
    frame = reviews_frame(engine)
    assert sorted(frame["review_date"].dt.strftime("%Y-%m-%d").fillna("").tolist()) == [
        "",
        "2026-05-01",
        "2026-05-01",
        "2026-05-02",
    ]

    more = DUPLICATES_CSV + "Kettle,2026-05-03,Great!\n"
    again = import_file(engine, write(tmp_path, "again.csv", more), predictor=predictor)
    assert (again.stored, again.duplicates) == (1, 6)
    reasons = [s.reason for s in again.skipped]
    assert reasons.count(ALREADY_STORED) == 4 and reasons.count(REPEAT_IN_ROWS) == 2
    assert_rollup_consistent(engine)


def old_hash(review_text: str, title: str | None, author: str | None) -> str:
    """The dedupe key of schema version 3 and before (no date)."""

    def norm(value: str | None) -> str:
        return " ".join(value.casefold().split()) if value else ""

    key = "\x1f".join((norm(review_text), norm(title), norm(author)))
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def test_a_version_3_store_is_rekeyed_and_gains_language(
    engine: Engine, predictor: Any, tmp_path: Path
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    import_file(engine, write(tmp_path, "speakers.csv", SPEAKER_CSV), predictor=predictor)
    spanish = "product,review\nKettle,El hervidor es muy bueno pero la tapa no cierra bien y se calienta.\n"
    import_file(engine, write(tmp_path, "es.csv", spanish), predictor=predictor)
    # turn the store back into a version 3 one: old keys, no language or extra columns
    with engine.begin() as conn:
        rows = conn.execute(select(Review.id, Review.text, Review.title, Review.author)).all()
        for row in rows:
            conn.execute(
                Review.__table__.update()
                .where(Review.id == row.id)
                .values(content_hash=old_hash(row.text, row.title, row.author))
            )
    with engine.begin() as conn:
        for column in ("language", "extra"):
            conn.execute(text(f"ALTER TABLE reviews DROP COLUMN {column}"))
        conn.execute(AppSetting.__table__.update().values(value="3"))
    dispose_engines(url)

    upgraded = get_engine(url)  # opening the store runs the upgrade
    assert schema_version(upgraded) == SCHEMA_VERSION == 4
    assert {"language", "extra"} <= {c["name"] for c in inspect(upgraded).get_columns("reviews")}
    with upgraded.connect() as conn:
        stored = conn.execute(
            select(
                Review.text,
                Review.title,
                Review.author,
                Review.review_date,
                Review.content_hash,
                Review.language,
            )
        ).all()
    assert all(
        row.content_hash == content_hash(row.text, row.title, row.author, row.review_date) for row in stored
    )
    languages = {row.text: row.language for row in stored}
    assert languages[spanish.splitlines()[1].split(",", 1)[1]] == "spanish"
    # re-importing after the upgrade finds every review again
    again = import_file(upgraded, write(tmp_path, "speakers2.csv", SPEAKER_CSV), predictor=predictor)
    assert (again.stored, again.duplicates) == (0, 3)
    assert ensure_schema(upgraded) == SCHEMA_VERSION  # safe to run twice


def test_each_review_s_language_is_stored_and_read(engine: Engine, predictor: Any, tmp_path: Path) -> None:
    from core.nlp.language import reading_note

    mixed = (
        "product,review\n"
        "Kettle,The kettle is great but the lid does not close and it gets very hot.\n"
        "Kettle,El hervidor es muy bueno pero la tapa no cierra bien y se calienta mucho.\n"
        "Kettle,Ok.\n"
    )
    import_file(engine, write(tmp_path, "mixed.csv", mixed), predictor=predictor)
    languages = dict(
        zip(reviews_frame(engine)["text"].str[:6], reviews_frame(engine)["language"], strict=True)
    )
    assert languages == {"The ke": "english", "El her": "spanish", "Ok.": "unknown"}
    assert reading_note("spanish", "english") == (
        "Spanish: the active model reads English; adapt it on rated Spanish reviews"
    )
    assert reading_note("english", "english") == reading_note("unknown", "english") == ""


EXTRA_CSV = (
    "product,review,rating,Verified Purchase,helpful_votes,channel,notes,code\n"
    "Kettle,The kettle boils fast and looks great.,5,Yes,3,web," + "long note " * 30 + ",007\n"
    'Kettle,The lid leaks and the handle gets hot.,1,No,,=HYPERLINK("http://x"),short,010\n'
)


def test_a_file_s_other_columns_are_stored_read_and_exported(
    engine: Engine, predictor: Any, tmp_path: Path
) -> None:
    import io

    from openpyxl import load_workbook

    from core.spreadsheet import to_safe_csv, to_safe_xlsx

    import_file(engine, write(tmp_path, "extra.csv", EXTRA_CSV), predictor=predictor)
    frame = reviews_frame(engine).sort_values("rating")
    # numbers stay numbers, "007" stays an id, the free-text "notes" column (300 chars) is left out
    assert frame["extra"].tolist() == [
        {"Verified Purchase": "No", "channel": '=HYPERLINK("http://x")', "code": "010"},
        {"Verified Purchase": "Yes", "helpful_votes": 3, "channel": "web", "code": "007"},
    ]
    csv = to_safe_csv(frame).decode("utf-8-sig")
    header = csv.splitlines()[0].split(",")
    assert "extra" not in header and {"Verified Purchase", "helpful_votes", "channel", "code"} <= set(header)
    assert "'=HYPERLINK" in csv  # formula-safe
    sheet = load_workbook(io.BytesIO(to_safe_xlsx(frame))).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("helpful_votes")
    assert [r[column] for r in rows[1:]] == [None, 3]
    assert rows[1][rows[0].index("channel")] == '\'=HYPERLINK("http://x")'
