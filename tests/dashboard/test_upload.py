"""Upload page with the real file uploader: good files stored with a summary, bad files explained."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from core.storage.queries import reviews_frame
from tests.dashboard.apptest import FIXTURES, open_page, shown, texts

CSV = "text/csv"


def upload(name: str, data: bytes | None = None, mime: str = CSV):
    """Open the Upload page and put a file in its uploader."""
    at = open_page("upload")
    content = data if data is not None else (FIXTURES / name).read_bytes()
    at.file_uploader(key="upload_file").set_value((name, content, mime)).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_semicolon_latin1_file_is_previewed_mapped_and_stored(store, predictor) -> None:
    at = upload("semicolon_latin1.csv")
    preview = at.dataframe[0].value
    assert list(preview.columns) == ["Fecha", "Opinión", "Puntuación"]
    assert "Café excelente, muy buena cafetera" in set(preview["Opinión"])
    assert any("delimiter ';'" in m for m in texts(at.markdown))
    selects = {s.label: s.value for s in at.selectbox}
    assert selects["Review text (required)"] == "Opinión"
    assert selects["Date"] == "Fecha" and selects["Rating"] == "Puntuación"
    assert selects["Product"] == "\u2014"  # no product column: the name below is used
    at.text_input(key=at.text_input[0].key).input("Cafetera X").run()
    at.button(key="import").click().run()
    assert not at.exception, [e.message for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Rows read": "4", "Stored": "3", "Duplicates skipped": "0", "Rejected": "1"}
    assert "empty text" in set(at.dataframe[-1].value["reason"])
    assert at.get("download_button")  # the rejected rows, as a safe CSV
    stored = reviews_frame(store)
    assert set(stored["product"]) == {"Cafetera X"}
    # day-first dates: 15/04/2026 can only be the 15th of April
    assert pd.Timestamp("2026-04-15") in set(stored["review_date"])
    assert any(link.proto.page.endswith("products") for link in at.page_link)


def test_same_file_twice_counts_duplicates(store, predictor) -> None:
    at = upload("reviews_small.csv")
    at.button(key="import").click().run()
    assert {m.label: m.value for m in at.metric}["Stored"] == "42"
    at.button(key="import").click().run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Stored"] == "0" and metrics["Duplicates skipped"] == "42"
    reasons = at.dataframe[-1].value
    assert dict(zip(reasons["reason"], reasons["rows"], strict=True)) == {
        "empty text": 1,
        "text has no words": 1,
    }


def test_xlsx_upload(store, predictor) -> None:
    buffer = io.BytesIO()
    pd.DataFrame(
        {"Comment": ["Great blender, smooth results", "Motor burnt out quickly"], "Stars": [5, 1]}
    ).to_excel(buffer, index=False)
    at = upload(
        "blender.xlsx", buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    at.button(key="import").click().run()
    assert {m.label: m.value for m in at.metric}["Stored"] == "2"
    assert set(reviews_frame(store)["product"]) == {"blender"}  # the file name is the default product


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "The file is empty."),
        ("not_a_table.csv", "binary data"),
    ],
)
def test_unreadable_files_show_the_ingest_message(store, name: str, message: str) -> None:
    at = upload(name)
    assert len(at.error) == 1 and message in shown(at.error[0].value)
    assert not at.get("button") or "import" not in [b.key for b in at.button]


def test_file_without_text_column_asks_for_one(store, predictor) -> None:
    at = upload("no_text.csv")
    assert at.selectbox[0].value == "\u2014"
    assert "No column looks like review text" in at.warning[0].value
    at.button(key="import").click().run()
    assert "Choose the column that holds the review text" in shown(at.error[0].value)
    # choosing a column by hand imports it; numbers-only cells are rejected with their reason
    at.selectbox[0].set_value("id").run()
    at.button(key="import").click().run()
    assert not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Stored"] == "0" and metrics["Rejected"] == "2"
    assert set(at.dataframe[-1].value["reason"]) == {"text has no words"}


def test_file_without_header_row_keeps_its_first_review(store, predictor) -> None:
    data = b"The battery died after two days.\nLove it, works great.\nArrived on time.\n"
    at = upload("no_header.csv", data)
    assert any("no header row" in m for m in texts(at.markdown))
    assert list(at.dataframe[0].value.columns) == ["column 1"]
    at.text_input(key=at.text_input[0].key).input("Phone X").run()
    at.button(key="import").click().run()
    assert {m.label: m.value for m in at.metric}["Stored"] == "3"  # the first line is a review too
    assert "The battery died after two days." in set(reviews_frame(store)["text"])


def test_xlsx_bomb_is_refused_on_the_upload_page(store) -> None:
    from tests.faults.workbooks import one_wide_row

    at = upload("bomb.xlsx", one_wide_row(500_000), "application/vnd.ms-excel")
    assert len(at.error) == 1
    assert shown(at.error[0].value) == (
        "The first sheet has more than 1,000 columns; the limit is 1,000. Delete the unused columns or "
        "save the reviews as CSV."
    )


def test_values_lost_on_import_are_in_the_summary_and_the_problem_rows(store, predictor) -> None:
    data = (
        b"text,rating,date\n"
        b"Great blender works well,excellent,2024-01-05\n"
        b"Awful broke on day two,7/5,2024-01-06\n"
        b"Fine for the price,4,31/02/2024\n"
    )
    at = upload("lost.csv", data)
    at.button(key="import").click().run()
    line = shown(at.success[0].value)
    assert "rejected 0; kept with a missing value: rating out of range (stored without rating): 1, " in line
    assert "unparseable date (stored without date): 1, unparseable rating (stored without rating): 1" in line
    reasons = {row["reason"]: row["rows"] for _, row in at.dataframe[-1].value.iterrows()}
    assert reasons == {
        "unparseable rating (stored without rating)": 1,
        "rating out of range (stored without rating)": 1,
        "unparseable date (stored without date)": 1,
    }


def test_near_duplicate_products_are_named_and_skipped_duplicates_downloadable(store, predictor) -> None:
    data = (
        b"product,date,review\n"
        b"Zephyr X2 Bluetooth Speaker,2026-05-01,Great!\n"
        b"zephyr x2  bluetooth speaker,2026-05-02,Great!\n"  # another day: a second review, same product
        b"ZEPHYR X2 BLUETOOTH SPEAKER,2026-05-01,great!\n"  # same product, text and day: a duplicate
    )
    at = upload("speakers.csv", data)
    at.button(key="import").click().run()
    assert not at.exception, [e.message for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Stored"], metrics["Duplicates skipped"]) == ("2", "1")
    message = at.success[0].value
    assert "product names merged" in message and "zephyr x2 bluetooth speaker" in message
    assert set(reviews_frame(store)["product"]) == {"Zephyr X2 Bluetooth Speaker"}
    skipped = [b for b in at.get("download_button") if "skipped duplicates" in b.proto.label]
    assert skipped, "the skipped duplicates can be downloaded"
